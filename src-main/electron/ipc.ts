import { BrowserWindow, dialog, ipcMain, type IpcMainInvokeEvent, type OpenDialogOptions, type WebContents } from 'electron';
import type { BridgeReply } from '../api/bridge';
import { IPC } from '../api/bridge';
import { PRIVATE_TOPICS, type EventMessage } from '../api/contract';
import { toApiError } from '../api/errors';
import type { Engine } from '../engine/engine';
import { parseCallEnvelope, parsePickFileOptions } from './policy';

/**
 * Electron IPC face: `hangar:call` → Engine.call (which validates the input), engine events →
 * the windows. Every message is checked to come from the main frame of one of our windows
 * showing our own renderer (file:// index or the dev server), never from an iframe or a page
 * the window was somehow navigated to.
 */
export interface IpcBinding {
  /** Start serving a window's webContents (events, client id, cleanup on reload/close). */
  attach(contents: WebContents): void;
  dispose(): void;
}

export const ipcClientId = (contents: WebContents) => `ipc-${contents.id}`;

export function bindIpc(engine: Engine, trust: { isTrustedUrl(url: string): boolean }): IpcBinding {
  const attached = new Map<number, WebContents>();

  const trustedSender = (event: IpcMainInvokeEvent): boolean => {
    const frame = event.senderFrame;
    if (!frame || frame.parent !== null) return false;
    if (attached.get(event.sender.id) !== event.sender) return false;
    return trust.isTrustedUrl(frame.url);
  };

  ipcMain.handle(IPC.call, async (event, envelope: unknown): Promise<BridgeReply> => {
    if (!trustedSender(event)) return { ok: false, error: { code: 'UNAUTHORIZED', message: 'This page may not call Hangar.' } };
    const call = parseCallEnvelope(envelope);
    if (!call) return { ok: false, error: { code: 'INVALID_INPUT', message: 'Malformed call: expected {method: string, input: object}.' } };
    try {
      const result = await engine.call(call.method, call.input, { clientId: ipcClientId(event.sender), origin: 'ipc' });
      // Same values as the WebSocket face sees (dates as strings, no class instances).
      return { ok: true, result: result === undefined ? null : (JSON.parse(JSON.stringify(result)) as unknown) };
    } catch (err) {
      return { ok: false, error: toApiError(err) };
    }
  });

  ipcMain.handle(IPC.pickFile, async (event, raw: unknown): Promise<string | null> => {
    if (!trustedSender(event)) throw new Error('This page may not open file dialogs.');
    const opts = parsePickFileOptions(raw);
    if (!opts) throw new Error('Malformed pickFile options.');
    const dialogOpts: OpenDialogOptions = { properties: ['openFile', 'dontAddToRecent'], ...(opts.title ? { title: opts.title } : {}), ...(opts.filters ? { filters: opts.filters } : {}) };
    const win = BrowserWindow.fromWebContents(event.sender);
    const r = win ? await dialog.showOpenDialog(win, dialogOpts) : await dialog.showOpenDialog(dialogOpts);
    return r.canceled ? null : (r.filePaths[0] ?? null);
  });

  const unsubscribe = engine.events.subscribe((message: EventMessage, target: string | null) => {
    if (target === null && PRIVATE_TOPICS.has(message.topic)) return;
    for (const contents of attached.values()) {
      if (contents.isDestroyed()) continue;
      if (target !== null && target !== ipcClientId(contents)) continue;
      if (!trust.isTrustedUrl(contents.getURL())) continue;
      contents.send(IPC.event, message);
    }
  });

  const gone = (clientId: string) => {
    try {
      engine.clientGone(clientId);
    } catch {
      /* engine closed */
    }
  };

  return {
    attach(contents: WebContents) {
      // Read id and client id now: a destroyed WebContents no longer answers.
      const id = contents.id;
      const clientId = ipcClientId(contents);
      if (attached.has(id)) return;
      attached.set(id, contents);
      // A reload or navigation starts a new client: close the old page's channels.
      contents.on('did-start-navigation', (details) => {
        if (details.isMainFrame && !details.isSameDocument) gone(clientId);
      });
      contents.on('render-process-gone', () => gone(clientId));
      // what the engine said when it opened (e.g. it made the data folder private): each page hears it
      contents.on('did-finish-load', () => {
        if (!contents.isDestroyed() && trust.isTrustedUrl(contents.getURL())) for (const data of engine.startupNotices) contents.send(IPC.event, { topic: 'notice', data } satisfies EventMessage);
      });
      contents.once('destroyed', () => {
        attached.delete(id);
        gone(clientId);
      });
    },
    dispose() {
      unsubscribe();
      ipcMain.removeHandler(IPC.call);
      ipcMain.removeHandler(IPC.pickFile);
      attached.clear();
    },
  };
}
