import { BrowserWindow, dialog, ipcMain, type IpcMainInvokeEvent, type OpenDialogOptions, type WebContents } from 'electron';
import type { BridgeReply } from '../api/bridge';
import { IPC } from '../api/bridge';
import type { EventMessage } from '../api/contract';
import { toApiError } from '../api/errors';
import type { Engine } from '../engine/engine';
import { subscribeClient } from '../engine/client-events';
import { validatedHandler, type HandlerSpec, type SenderPolicy } from './ipc-guard';
import { parseCallEnvelope, parsePickFileOptions } from './policy';

/**
 * Electron IPC face: `hangar:call` → Engine.call (which validates the input), engine events →
 * the windows. Every handler goes through ipc-guard.ts: the message must come from the main
 * frame of one of our windows showing our own renderer (file:// index or the dev server), never
 * from an iframe or a page the window was somehow navigated to. Each window is one client of the
 * EventBus (engine/client-events.ts), like a WebSocket or an engine.sock connection.
 */
export interface IpcBinding {
  /** Start serving a window's webContents (events, client id, cleanup on reload/close). */
  attach(contents: WebContents): void;
  /** Register another handler behind the same sender checks (removed by dispose). */
  handle<A, R>(channel: string, spec: HandlerSpec<IpcMainInvokeEvent, A, R>): void;
  dispose(): void;
}

export const ipcClientId = (contents: WebContents) => `ipc-${contents.id}`;

export function bindIpc(engine: Engine, trust: { isTrustedUrl(url: string): boolean }): IpcBinding {
  const attached = new Map<number, { contents: WebContents; unsubscribe(): void }>();
  const policy: SenderPolicy = { isAttached: (sender) => attached.get(sender.id)?.contents === sender, isTrustedUrl: trust.isTrustedUrl };
  const channels: string[] = [];
  const handle = <A, R>(channel: string, spec: HandlerSpec<IpcMainInvokeEvent, A, R>) => {
    ipcMain.handle(channel, validatedHandler(policy, spec));
    channels.push(channel);
  };

  handle(IPC.call, {
    parse: parseCallEnvelope,
    refused: (): BridgeReply => ({ ok: false, error: { code: 'UNAUTHORIZED', message: 'This page may not call Hangar.' } }),
    malformed: (): BridgeReply => ({ ok: false, error: { code: 'INVALID_INPUT', message: 'Malformed call: expected {method: string, input: object}.' } }),
    async run(event, call): Promise<BridgeReply> {
      try {
        const result = await engine.call(call.method, call.input, { clientId: ipcClientId(event.sender), origin: 'ipc' });
        // Same values as the WebSocket face sees (dates as strings, no class instances).
        return { ok: true, result: result === undefined ? null : (JSON.parse(JSON.stringify(result)) as unknown) };
      } catch (err) {
        return { ok: false, error: toApiError(err) };
      }
    },
  });

  handle(IPC.pickFile, {
    parse: parsePickFileOptions,
    refused: () => {
      throw new Error('This page may not open file dialogs.');
    },
    malformed: () => {
      throw new Error('Malformed pickFile options.');
    },
    async run(event, opts): Promise<string | null> {
      const dialogOpts: OpenDialogOptions = { properties: ['openFile', 'dontAddToRecent'], ...(opts.title ? { title: opts.title } : {}), ...(opts.filters ? { filters: opts.filters } : {}) };
      const win = BrowserWindow.fromWebContents(event.sender);
      const r = win ? await dialog.showOpenDialog(win, dialogOpts) : await dialog.showOpenDialog(dialogOpts);
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
  });

  const gone = (clientId: string) => {
    try {
      engine.clientGone(clientId);
    } catch {
      /* engine closed */
    }
  };

  return {
    handle,
    attach(contents: WebContents) {
      // Read id and client id now: a destroyed WebContents no longer answers.
      const id = contents.id;
      const clientId = ipcClientId(contents);
      if (attached.has(id)) return;
      const unsubscribe = subscribeClient(engine.events, clientId, (message) => {
        if (!contents.isDestroyed() && trust.isTrustedUrl(contents.getURL())) contents.send(IPC.event, message);
      });
      attached.set(id, { contents, unsubscribe });
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
        attached.get(id)?.unsubscribe();
        attached.delete(id);
        gone(clientId);
      });
    },
    dispose() {
      for (const channel of channels.splice(0)) ipcMain.removeHandler(channel);
      for (const a of attached.values()) a.unsubscribe();
      attached.clear();
    },
  };
}
