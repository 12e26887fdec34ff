import type RFB from '@novnc/novnc';

/** X11 keysyms and the DOM key codes noVNC maps to QEMU scancodes. */
interface Key {
  sym: number;
  code: string;
}
const K = {
  ctrl: { sym: 0xffe3, code: 'ControlLeft' },
  alt: { sym: 0xffe9, code: 'AltLeft' },
  shift: { sym: 0xffe1, code: 'ShiftLeft' },
  meta: { sym: 0xffeb, code: 'MetaLeft' },
  del: { sym: 0xffff, code: 'Delete' },
  backspace: { sym: 0xff08, code: 'Backspace' },
  tab: { sym: 0xff09, code: 'Tab' },
  esc: { sym: 0xff1b, code: 'Escape' },
  print: { sym: 0xff61, code: 'PrintScreen' },
  f: (n: number): Key => ({ sym: 0xffbe + n - 1, code: `F${n}` }),
} as const;

export interface KeyCombo {
  id: string;
  label: string;
  keys: Key[];
}

/** Combinations the host would otherwise catch (virtual terminals, window switching). */
export const KEY_COMBOS: KeyCombo[] = [
  { id: 'cab', label: 'Ctrl+Alt+Backspace', keys: [K.ctrl, K.alt, K.backspace] },
  ...[1, 2, 3, 7].map((n) => ({ id: `caf${n}`, label: `Ctrl+Alt+F${n}`, keys: [K.ctrl, K.alt, K.f(n)] })),
  { id: 'at', label: 'Alt+Tab', keys: [K.alt, K.tab] },
  { id: 'af4', label: 'Alt+F4', keys: [K.alt, K.f(4)] },
  { id: 'cse', label: 'Ctrl+Shift+Esc', keys: [K.ctrl, K.shift, K.esc] },
  { id: 'meta', label: 'Super', keys: [K.meta] },
  { id: 'print', label: 'Print Screen', keys: [K.print] },
];

/** Press the keys in order, release them in reverse. */
export function sendCombo(rfb: RFB, combo: KeyCombo): void {
  for (const k of combo.keys) rfb.sendKey(k.sym, k.code, true);
  for (const k of [...combo.keys].reverse()) rfb.sendKey(k.sym, k.code, false);
}

/**
 * Type text as key presses (for guests without a clipboard agent, e.g. an installer).
 * Latin-1 keysyms equal their code points; newline is Return. Other characters are skipped.
 */
export function typeText(rfb: RFB, text: string): void {
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    const sym = ch === '\n' ? 0xff0d : ch === '\t' ? 0xff09 : cp >= 0x20 && cp <= 0xff ? cp : 0;
    if (sym) rfb.sendKey(sym, null);
  }
}
