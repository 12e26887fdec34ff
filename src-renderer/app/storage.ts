/** localStorage with a namespace and no throws (private windows, quota, disabled storage). */
const PREFIX = 'hangar.';

export function loadPref<T>(key: string, fallback: T, isValid: (v: unknown) => v is T = (v): v is T => v !== undefined): T {
  try {
    const raw = window.localStorage.getItem(PREFIX + key);
    if (raw === null) return fallback;
    const v: unknown = JSON.parse(raw);
    return isValid(v) ? v : fallback;
  } catch {
    return fallback;
  }
}

export function savePref(key: string, value: unknown): void {
  try {
    if (value === null || value === undefined) window.localStorage.removeItem(PREFIX + key);
    else window.localStorage.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    /* remembering is a nicety, never a failure */
  }
}
