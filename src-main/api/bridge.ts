import type { ApiErrorShape } from './errors';
import type { EventMessage } from './contract/events';
import type { MenuCommand } from './menu-commands';

export type { MenuCommand };

/**
 * What the Electron preload exposes as `window.hangarBridge` (contextBridge): the narrow,
 * typed surface the renderer may use. No ipcRenderer, no Node. The browser build has no
 * bridge and talks WebSocket instead; `src-renderer/api/` hides the difference.
 */
export type BridgeReply = { ok: true; result: unknown } | { ok: false; error: ApiErrorShape };

export interface HangarBridge {
  readonly kind: 'electron';
  call(method: string, input: unknown): Promise<BridgeReply>;
  /** Subscribe to engine events; returns an unsubscribe function. */
  onEvent(listener: (event: EventMessage) => void): () => void;
  /** Native file picker (install media, disk images). Resolves null when cancelled. */
  pickFile(options: { title?: string; filters?: Array<{ name: string; extensions: string[] }> }): Promise<string | null>;
  /** The path of a file dropped on the page (Electron's webUtils; '' when it has none). */
  pathForFile?(file: unknown): string;
  /** Application-menu commands (New VM, Start, …) for the renderer to run on its selection. */
  onMenu(listener: (command: MenuCommand) => void): () => void;
  /** Open a route of the app (`#/console/<vm>`, `#/host-shell`) in a new desktop window. */
  openWindow?(hash: string): Promise<void>;
}

/** IPC channel names used between preload and main. */
export const IPC = {
  call: 'hangar:call',
  event: 'hangar:event',
  pickFile: 'hangar:pick-file',
  menu: 'hangar:menu',
  openWindow: 'hangar:open-window',
} as const;
