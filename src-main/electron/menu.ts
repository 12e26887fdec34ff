import { Menu, type MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../api/menu-commands';

/**
 * The application menu. Items that act on the app's state do not act here: they send a
 * command to the focused window (`hangar:menu`), and the renderer runs it on its selection,
 * through the same contract as its buttons. Machine actions use Ctrl+Shift so that plain
 * Ctrl+letter keys still reach a focused serial console (Ctrl+C, Ctrl+D, ... belong to the guest).
 */
export function buildAppMenu(opts: { send(command: MenuCommand): void; dev: boolean }): Menu {
  const cmd = (label: string, command: MenuCommand, accelerator?: string): MenuItemConstructorOptions => ({
    label,
    ...(accelerator ? { accelerator } : {}),
    click: () => opts.send(command),
  });
  const isMac = process.platform === 'darwin';

  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: '&File',
      submenu: [
        cmd('&New Virtual Machine…', 'vm.new', 'CmdOrCtrl+N'),
        cmd('&Import Disk Image…', 'image.import', 'CmdOrCtrl+I'),
        { type: 'separator' },
        cmd('&Settings…', 'settings', 'CmdOrCtrl+,'),
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit', label: '&Quit', accelerator: 'CmdOrCtrl+Q' },
      ],
    },
    {
      label: '&Edit',
      submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
    },
    {
      label: '&Machine',
      submenu: [
        cmd('&Start', 'vm.start', 'CmdOrCtrl+Shift+S'),
        cmd('Shut &Down', 'vm.shutdown', 'CmdOrCtrl+Shift+D'),
        cmd('&Pause / Resume', 'vm.pause', 'CmdOrCtrl+Shift+P'),
        cmd('&Reset', 'vm.reset', 'CmdOrCtrl+Shift+R'),
        cmd('&Force Off', 'vm.forceOff'),
        { type: 'separator' },
        cmd('Open &Console', 'vm.console', 'CmdOrCtrl+Shift+O'),
        { type: 'separator' },
        cmd('C&lone…', 'vm.clone'),
        cmd('De&lete…', 'vm.delete'),
      ],
    },
    {
      label: '&View',
      submenu: [
        cmd('&Machines', 'view.machines', 'CmdOrCtrl+1'),
        cmd('&Images', 'view.images', 'CmdOrCtrl+2'),
        cmd('&Storage', 'view.storage', 'CmdOrCtrl+3'),
        cmd('&Usage', 'view.usage', 'CmdOrCtrl+4'),
        cmd('S&chedules', 'view.schedules', 'CmdOrCtrl+5'),
        cmd('&Hosts', 'view.hosts', 'CmdOrCtrl+6'),
        cmd('&Tasks', 'view.tasks', 'CmdOrCtrl+7'),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(opts.dev ? [{ type: 'separator' as const }, { role: 'reload' as const }, { role: 'toggleDevTools' as const }] : []),
      ],
    },
    {
      label: '&Help',
      role: 'help',
      submenu: [cmd('&Keyboard Shortcuts', 'help.shortcuts', 'F1'), { type: 'separator' }, { role: 'about', label: '&About Hangar' }],
    },
  ];
  return Menu.buildFromTemplate(template);
}
