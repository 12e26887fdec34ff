import { useTranslation } from 'react-i18next';
import { Icon, type IconName } from './Icon';
import { useToasts, type Toast } from './toast-store';

const ICONS: Record<Toast['level'], IconName> = { info: 'info', success: 'check', warning: 'warning', error: 'error' };

/** The toast stack (bottom right). Errors use role=alert so screen readers announce them at once. */
export function Toaster() {
  const { t } = useTranslation();
  const toasts = useToasts((s) => s.toasts);
  const dismiss = useToasts((s) => s.dismiss);
  return (
    <div className="toaster" aria-live="polite">
      {toasts.map((toast) => (
        <div key={toast.id} className={`toast toast-${toast.level}`} role={toast.level === 'error' ? 'alert' : 'status'} data-testid="toast" data-level={toast.level}>
          <Icon name={ICONS[toast.level]} size={20} className="toast-icon" />
          <div className="toast-body">
            {toast.title && <strong className="toast-title">{toast.title}</strong>}
            <p className="toast-message">{toast.message}</p>
            {toast.items && toast.items.length > 0 && (
              <ul className="toast-items">
                {toast.items.map((item) => (
                  <li key={item}>{item}</li>
                ))}
              </ul>
            )}
            {toast.action && (
              <button
                type="button"
                className="btn btn-danger btn-small toast-action"
                data-testid="toast-action"
                onClick={() => {
                  toast.action?.run();
                  dismiss(toast.id);
                }}
              >
                {toast.action.label}
              </button>
            )}
          </div>
          <button type="button" className="icon-btn toast-close" aria-label={t('common.dismiss')} title={t('common.dismiss')} onClick={() => dismiss(toast.id)}>
            <Icon name="close" size={16} />
          </button>
        </div>
      ))}
    </div>
  );
}
