import { formatBytes } from '../../../src-main/shared/units';

/** This month as YYYY-MM, in the browser's zone (the engine applies the invoice zone). */
export function currentMonth(now = new Date()): string {
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}`;
}

export const hours = (sec: number) => (sec / 3600).toFixed(sec < 36 ? 3 : 2);

export const formatBytesOrMissing = (v: number | null, missing: string) => (v === null ? missing : formatBytes(v));

/** Minor units → "12.34" without floating-point drift. */
export function formatMinor(minor: number, digits: number): string {
  const s = String(Math.abs(minor)).padStart(digits + 1, '0');
  const body = digits === 0 ? s : `${s.slice(0, -digits)}.${s.slice(-digits)}`;
  return minor < 0 ? `-${body}` : body;
}

/** "€12.34" in the UI language. */
export function money(minor: number, currency: string, digits: number, locale: string): string {
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(Number(formatMinor(minor, digits)));
  } catch {
    return `${formatMinor(minor, digits)} ${currency}`;
  }
}

/** An instant as the wall clock of the period's time zone reads it (boundaries show as midnight there). */
export function inZone(iso: string, timeZone: string, locale: string): string {
  try {
    return new Date(iso).toLocaleString(locale, { timeZone, dateStyle: 'medium', timeStyle: 'short' });
  } catch {
    return iso;
  }
}
