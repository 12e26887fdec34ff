/** The keyboard shortcuts, as shown in the help dialog ("?"). app/shortcuts.ts implements them. */
export const SHORTCUTS: ReadonlyArray<{ keys: string[]; action: string }> = [
  { keys: ['Mod', 'N'], action: 'shortcuts.new' },
  { keys: ['Mod', ','], action: 'shortcuts.settings' },
  { keys: ['Enter'], action: 'shortcuts.start' },
  { keys: ['Delete'], action: 'shortcuts.delete' },
  { keys: ['↑', '↓'], action: 'shortcuts.move' },
  { keys: ['Home', 'End'], action: 'shortcuts.firstLast' },
  { keys: ['Mod', 'F'], action: 'shortcuts.search' },
  { keys: ['/'], action: 'shortcuts.search' },
  { keys: ['Esc'], action: 'shortcuts.escape' },
  { keys: ['?'], action: 'shortcuts.help' },
];

export const isMac = () => /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);
