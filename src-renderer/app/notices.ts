import { api } from '../api';
import { toast } from '../components/toast-store';
import { engineText } from '../i18n/engine-text';

const SEEN_KEY = 'hangar.noticesSeen';
const STANDING_KEY = 'hangar.standingNoticesSeen';

/**
 * Engine `notice` events become toasts, each (by key, else text) only once per session, reconnects
 * included. Keyed notices are standing conditions of the host (the KVM notice: "VMs run under TCG")
 * that do not change from one VM start to the next: they show once per browser profile, and never
 * in a console-only window, where a toast would cover the lower right of the guest's screen.
 */
export function startNotices(): void {
  const seen = new Set<string>(read(sessionStorage, SEEN_KEY));
  const standing = new Set<string>(read(localStorage, STANDING_KEY));
  api.on('notice', (n) => {
    if (/^#\/(console|host-shell)/.test(window.location.hash)) return;
    const id = n.key ?? n.message;
    if (seen.has(id)) return;
    seen.add(id);
    write(sessionStorage, SEEN_KEY, seen);
    if (n.key) {
      const standingId = `${n.key}:${n.message}`;
      if (standing.has(standingId)) return;
      standing.add(standingId);
      write(localStorage, STANDING_KEY, standing);
    }
    toast({ level: n.level, message: engineText(n.message, n.text) });
  });
  // notices kept by the engine until dismissed (e.g. hangar.db rebuilt from the files): shown until closed
  void api
    .call('notice.list', {})
    .then((list) => {
      for (const n of list) toast({ level: n.level, message: n.message, timeoutMs: 0 });
    })
    .catch(() => undefined);
}

function write(store: Storage, key: string, ids: Set<string>): void {
  try {
    store.setItem(key, JSON.stringify([...ids].slice(-100)));
  } catch {
    /* fine: worst case it shows again after a reload */
  }
}

function read(store: Storage, key: string): string[] {
  try {
    const v: unknown = JSON.parse(store.getItem(key) ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
