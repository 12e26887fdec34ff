/**
 * Commands the application menu sends to the focused window (IPC channel `hangar:menu`,
 * exposed to the renderer as `hangarBridge.onMenu`). The renderer acts on the current
 * selection (e.g. `vm.start` starts the selected VM). No Electron import: the preload and
 * the renderer may import this type.
 */
export const MENU_COMMANDS = [
  'vm.new',
  'image.import',
  'settings',
  'vm.start',
  'vm.shutdown',
  'vm.forceOff',
  'vm.pause',
  'vm.reset',
  'vm.console',
  'vm.clone',
  'vm.delete',
  'view.machines',
  'view.images',
  'view.storage',
  'view.usage',
  'view.schedules',
  'view.hosts',
  'view.tasks',
  'help.shortcuts',
] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];

/** IPC channel for menu commands (main → renderer). */
export const MENU_CHANNEL = 'hangar:menu';
