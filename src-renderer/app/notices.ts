import { api } from '../api';
import { toast } from '../components/toast-store';

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
    toast({ level: n.level, message: n.message });
  });
  // notices kept by the engine until dismissed (e.g. hangar.db rebuilt from the files): shown until closed
  void api
    .call('notice.list', {})
    .then((list) => {
      for (const n of list) toast({ level: n.level, message: n.message, timeoutMs: 0 });
    })
    .catch(() => undefined);
}

function readSeen(): string[] {
  try {
    const v: unknown = JSON.parse(sessionStorage.getItem(SEEN_KEY) ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
