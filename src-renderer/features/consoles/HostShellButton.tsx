import { useTranslation } from 'react-i18next';
import { IconButton } from '../../components/Button';
import { HOST_SHELL_ROUTE } from './console-logic';
import { openDetached } from './open-window';

/** Opens a terminal on the local host in its own window or browser tab. */
export function HostShellButton() {
  const { t } = useTranslation();
  return <IconButton icon="terminal" label={t('console.openHostShell')} className="host-shell-btn" onClick={() => openDetached(HOST_SHELL_ROUTE, 'hangar-host-shell')} data-testid="host-shell-open" />;
}
