import { HangarError } from '../api/errors';

/**
 * Exact money arithmetic. Rates are decimal strings in the major unit ("0.045" EUR); they are
 * held as integer micros (10^-6 of the major unit) and every amount is an exact fraction until
 * the single rounding step: half-up to the currency's minor unit. No floating point touches money.
 */
export const MICROS_PER_UNIT = 1_000_000n;

export function parseRateMicros(text: string): bigint {
  const m = /^(\d{1,9})(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (!m) throw new HangarError('INVALID_INPUT', `"${text}" is not an amount: use a plain number with at most 6 decimals, such as 0.05.`);
  return BigInt(m[1]!) * MICROS_PER_UNIT + BigInt((m[2] ?? '').padEnd(6, '0'));
}

/** Digits of the minor unit: 2 for EUR/USD, 0 for JPY, 3 for BHD (from the runtime's ICU data). */
export function minorDigits(currency: string): number {
  if (!isKnownCurrency(currency)) throw new HangarError('INVALID_INPUT', `"${currency}" is not an ISO 4217 currency code this system knows (such as EUR, USD, JPY).`, { field: 'currency' });
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

export function isKnownCurrency(code: string): boolean {
  if (!/^[A-Z]{3}$/.test(code)) return false;
  const supported = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf;
  return supported ? supported('currency').includes(code) : true;
}

/** An exact non-negative fraction num/den. */
export interface Fraction {
  num: bigint;
  den: bigint;
}

/** rate (micros per unit) × quantity (num/den units) → minor units, rounded half-up. */
export function chargeMinor(rateMicros: bigint, quantity: Fraction, digits: number): number {
  const num = rateMicros * quantity.num * 10n ** BigInt(digits);
  const den = MICROS_PER_UNIT * quantity.den;
  return Number(roundHalfUp(num, den));
}

/** floor(num/den + 1/2) for non-negative values. */
export function roundHalfUp(num: bigint, den: bigint): bigint {
  if (den <= 0n || num < 0n) throw new Error('roundHalfUp expects a non-negative fraction');
  return (2n * num + den) / (2n * den);
}

/** "12.34" from 1234 minor units (no currency sign; for CSV and tables). */
export function formatMinor(minor: number, digits: number): string {
  const neg = minor < 0;
  const s = String(Math.abs(minor)).padStart(digits + 1, '0');
  const body = digits === 0 ? s : `${s.slice(0, -digits)}.${s.slice(-digits)}`;
  return neg ? `-${body}` : body;
}

/** "€12.34" / "12,34 €" for people, in a locale. */
export function formatMoney(minor: number, currency: string, locale = 'en'): string {
  const digits = minorDigits(currency);
  return new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(Number(formatMinor(minor, digits)));
}
