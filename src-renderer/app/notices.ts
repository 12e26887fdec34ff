import { api } from '../api';
import { toast } from '../components/toast-store';
import { engineText } from '../i18n/engine-text';

const SEEN_KEY = 'hangar.noticesSeen';

/** Engine `notice` events become toasts, each (by key, else text) only once per session, reconnects included. */
export function startNotices(): void {
  const seen = new Set<string>(readSeen());
  api.on('notice', (n) => {
    const id = n.key ?? n.message;
    if (seen.has(id)) return;
    seen.add(id);
    try {
      sessionStorage.setItem(SEEN_KEY, JSON.stringify([...seen]));
    } catch {
      /* fine: worst case it shows again after a reload */
    }
    toast({ level: n.level, message: engineText(n.message, n.text) });
  });
}

function readSeen(): string[] {
  try {
    const v: unknown = JSON.parse(sessionStorage.getItem(SEEN_KEY) ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
