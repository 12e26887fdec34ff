/**
 * The preload of the sandboxed renderer: exposes `window.hangarBridge` (the HangarBridge of
 * src-main/api/bridge.ts) and nothing else. No ipcRenderer, no Node, no IPC event objects
 * reach the page.
 *
 * A sandboxed preload can only require('electron'): this file must not import local modules
 * at run time. Type-only imports are erased; the channel names below are duplicated from
 * `IPC` in src-main/api/bridge.ts and MENU_CHANNEL in src-main/api/menu-commands.ts (a unit test checks
 * they match and that the compiled file requires nothing but electron).
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import type { BridgeReply, HangarBridge } from '../api/bridge';
import type { EventMessage } from '../api/contract/events';
import type { MenuCommand } from '../api/menu-commands';

const CHANNELS = {
  call: 'hangar:call',
  event: 'hangar:event',
  pickFile: 'hangar:pick-file',
  menu: 'hangar:menu',
  openWindow: 'hangar:open-window',
} as const;

/** HangarBridge plus `onMenu` (application menu commands). */
type DesktopBridge = HangarBridge & {
  onMenu(listener: (command: MenuCommand) => void): () => void;
};

function subscribe<T>(channel: string, listener: (value: T) => void): () => void {
  if (typeof listener !== 'function') throw new TypeError('listener must be a function');
  const wrapped = (_event: IpcRendererEvent, value: T) => listener(value);
  ipcRenderer.on(channel, wrapped);
  return () => {
    ipcRenderer.removeListener(channel, wrapped);
  };
}

const bridge: DesktopBridge = {
  kind: 'electron',
  call(method: string, input: unknown): Promise<BridgeReply> {
    return ipcRenderer.invoke(CHANNELS.call, { method: String(method), input }) as Promise<BridgeReply>;
  },
  onEvent(listener: (event: EventMessage) => void): () => void {
    return subscribe<EventMessage>(CHANNELS.event, listener);
  },
  pickFile(options: { title?: string; filters?: Array<{ name: string; extensions: string[] }> }): Promise<string | null> {
    return ipcRenderer.invoke(CHANNELS.pickFile, options ?? {}) as Promise<string | null>;
  },
  pathForFile(file: unknown): string {
    try {
      return webUtils.getPathForFile(file as Parameters<typeof webUtils.getPathForFile>[0]);
    } catch {
      return '';
    }
  },
  onMenu(listener: (command: MenuCommand) => void): () => void {
    return subscribe<MenuCommand>(CHANNELS.menu, listener);
  },
  openWindow(hash: string): Promise<void> {
    return ipcRenderer.invoke(CHANNELS.openWindow, String(hash)) as Promise<void>;
  },
};

contextBridge.exposeInMainWorld('hangarBridge', bridge);
