import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from './Button';

/**
 * The footer most dialogs share: a spacer pushing the buttons right, Cancel (or another dismiss
 * label), then the dialog's own action buttons given as children.
 */
export function DialogActions({ onCancel, cancelLabel, cancelTestId, children }: { onCancel(): void; cancelLabel?: string; cancelTestId?: string; children?: ReactNode }) {
  const { t } = useTranslation();
  return (
    <>
      <span className="footer-spacer" />
      <Button onClick={onCancel} data-testid={cancelTestId}>
        {cancelLabel ?? t('common.cancel')}
      </Button>
      {children}
    </>
  );
}
