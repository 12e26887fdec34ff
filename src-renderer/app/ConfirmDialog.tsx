import { Button } from '../components/Button';
import { DialogActions } from '../components/DialogActions';
import { Dialog } from '../components/Dialog';
import { useUi } from './ui-store';

/** A yes/no question before something that cannot be undone (force off, reset). Focus starts on Cancel. */
export function ConfirmDialog({ title, message, confirmLabel, onConfirm }: { title: string; message: string; confirmLabel: string; onConfirm(): void }) {
  const close = useUi((s) => s.closeDialog);
  return (
    <Dialog
      title={title}
      onClose={close}
      size="sm"
      testId="confirm"
      initialFocus="[data-testid=confirm-cancel]"
      footer={
        <DialogActions onCancel={close} cancelTestId="confirm-cancel">
          <Button
            variant="danger"
            data-testid="confirm-ok"
            onClick={() => {
              close();
              onConfirm();
            }}
          >
            {confirmLabel}
          </Button>
        </DialogActions>
      }
    >
      <p>{message}</p>
    </Dialog>
  );
}
