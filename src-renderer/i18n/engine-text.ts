import i18next, { type TFunction } from 'i18next';
import { recognize, type EngineText } from '../../src-main/api/messages';
import { formatDateTime, formatNumber, ISO_INSTANT } from './format';

/**
 * An engine sentence in the UI's language. The engine sends its English sentence (for the CLI and
 * logs) and, where it can, its code and parameters; sentences kept in the database (a VM's state
 * reason, schedule run details) are recognised from the engine's own templates. Parameters that
 * are engine sentences, VM states, instants or numbers are localised too. Unknown text (e.g. QEMU's
 * own output) is shown as it is.
 */
export function engineText(message: string | null | undefined, text?: EngineText | null, t: TFunction = i18next.t): string {
  const known = text ?? recognize(message);
  if (!known) return message ?? '';
  const key = `engine.${known.code}`;
  if (!i18next.exists(key)) return message ?? '';
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(known.params ?? {})) params[k] = localParam(k, v, t);
  return t(key, params);
}

function localParam(key: string, v: string | number, t: TFunction): string {
  if (typeof v === 'number') return formatNumber(v);
  if (/^\d+$/.test(v) && key !== 'vm' && key !== 'name') return formatNumber(Number(v));
  if (ISO_INSTANT.test(v)) return formatDateTime(v);
  if (key === 'state' && i18next.exists(`state.${v}`)) return t(`state.${v}`);
  const inner = recognize(v);
  // a sentence inside a sentence: drop its final stop so it reads as a clause
  if (inner && i18next.exists(`engine.${inner.code}`)) return engineText(v, inner, t).replace(/[.。]$/, '');
  return v;
}
