import { api } from '../../api';

/**
 * Open a route of this app (`#/console/<vm>`, `#/host-shell`) in its own window: a new browser
 * tab (the login cookie comes along), or a new desktop window through the bridge (Electron
 * denies window.open for safety).
 */
export function openDetached(hash: string, name: string): void {
  if (api.kind === 'electron' && window.hangarBridge?.openWindow) {
    void window.hangarBridge.openWindow(hash);
    return;
  }
  const url = new URL(window.location.href);
  url.hash = hash;
  url.searchParams.delete('token');
  window.open(url.toString(), name, 'noopener');
}
