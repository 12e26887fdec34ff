/**
 * The billing rounding rule as a sentence, in a file without schemas: the CLI shows it in its help
 * and must not load zod for that (a `hangar` call through a running engine never loads the contract).
 */
export const ROUNDING_RULE =
  'Each line item is computed exactly from the metered milliseconds and bytes, then rounded half-up to the smallest currency unit (e.g. the cent); totals are sums of the rounded lines.';
