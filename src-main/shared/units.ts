/**
 * Byte-size parsing and formatting shared by the engine, the CLI and the renderer.
 * Binary units throughout (1 G = 1 GiB), like qemu-img: "20G", "512M", "1.5 GiB", "1073741824".
 */
const UNIT_POWERS: Record<string, number> = { '': 0, b: 0, k: 1, m: 2, g: 3, t: 4, p: 5 };

export function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?\s*$/i.exec(text);
  if (!match) throw new Error(`"${text}" is not a size: use a number with an optional unit, like 20G, 512M or 1.5T.`);
  const value = Number(match[1]);
  const power = UNIT_POWERS[(match[2] ?? '').toLowerCase()] ?? 0;
  const bytes = Math.round(value * 1024 ** power);
  if (!Number.isSafeInteger(bytes)) throw new Error(`"${text}" is too large.`);
  return bytes;
}

export function formatBytes(bytes: number, digits = 1): string {
  if (!Number.isFinite(bytes)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const sign = bytes < 0 ? '-' : '';
  return unit === 0 ? `${sign}${value} B` : `${sign}${value.toFixed(digits)} ${units[unit]}`;
}

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;
