/** The part of noVNC's RFB that sends keys (kept structural so this module needs no DOM). */
export interface KeySink {
  sendKey(keysym: number, code: string | null, down?: boolean): void;
}

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
export function sendCombo(rfb: KeySink, combo: KeyCombo): void {
  for (const k of combo.keys) rfb.sendKey(k.sym, k.code, true);
  for (const k of [...combo.keys].reverse()) rfb.sendKey(k.sym, k.code, false);
}

/** Characters typed with Shift on a US keyboard (QEMU maps a keysym to the key, not the modifier). */
const SHIFTED = new Set('~!@#$%^&*()_+{}|:"<>?ABCDEFGHIJKLMNOPQRSTUVWXYZ');

/**
 * Type text as key presses (for guests without a clipboard agent, e.g. an installer).
 * Latin-1 keysyms equal their code points; newline is Return. Shifted characters are wrapped in
 * Shift, because QEMU turns a keysym into a key of the guest's (US) layout and leaves modifiers
 * to the client. Other characters are skipped.
 */
export function typeText(rfb: KeySink, text: string): void {
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    const sym = ch === '\n' ? 0xff0d : ch === '\t' ? 0xff09 : cp >= 0x20 && cp <= 0xff ? cp : 0;
    if (!sym) continue;
    const shift = SHIFTED.has(ch);
    if (shift) rfb.sendKey(K.shift.sym, K.shift.code, true);
    rfb.sendKey(sym, null);
    if (shift) rfb.sendKey(K.shift.sym, K.shift.code, false);
  }
}
