import i18next from 'i18next';

/**
 * Dates and numbers in the UI's language, always through Intl (never the browser's default
 * locale): a Chinese UI shows Chinese dates even in an English browser, and beside each other
 * every date in a row reads the same way.
 */
export const uiLocale = (): string => i18next.language || 'en';

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();
function dtf(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = dateTimeFormats.get(key);
  if (!f) dateTimeFormats.set(key, (f = new Intl.DateTimeFormat(locale, options)));
  return f;
}

type DateLike = string | number | Date;
const toDate = (v: DateLike) => (v instanceof Date ? v : new Date(v));

/** "2026年12月1日 21:51:36" / "Dec 1, 2026, 9:51:36 PM". */
export function formatDateTime(v: DateLike, options: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'medium' }, locale = uiLocale()): string {
  const d = toDate(v);
  return Number.isNaN(d.getTime()) ? String(v) : dtf(locale, options).format(d);
}

export const formatDate = (v: DateLike, locale = uiLocale()) => formatDateTime(v, { dateStyle: 'medium' }, locale);
export const formatTime = (v: DateLike, locale = uiLocale()) => formatDateTime(v, { timeStyle: 'medium' }, locale);

export function formatNumber(n: number, options: Intl.NumberFormatOptions = {}, locale = uiLocale()): string {
  return new Intl.NumberFormat(locale, options).format(n);
}

/** An ISO 8601 instant as the engine writes them (used to spot dates inside message parameters). */
export const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
