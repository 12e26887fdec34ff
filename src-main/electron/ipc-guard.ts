/**
 * The one validated IPC handler of the desktop app, as pure functions (no Electron import, so
 * the unit tests give it sender-like objects under plain Node). Every `ipcMain.handle` of Hangar
 * goes through `validatedHandler`: the caller must be the MAIN frame (never an iframe) of a
 * webContents Hangar attached, showing our own renderer (the app's file:// index or the dev
 * server's origin); its argument is parsed before the handler sees it. Before, `hangar:call` and
 * `hangar:open-window` checked their senders differently (the latter accepted subframes).
 */

/** What a handler knows of its caller: the shape of Electron's IpcMainInvokeEvent that matters. */
export interface InvokeEventLike {
  sender: { id: number };
  senderFrame?: { url: string; parent: unknown } | null;
}

export interface SenderPolicy {
  /** Is this exactly a webContents Hangar opened and attached (same object, not just the same id)? */
  isAttached(sender: InvokeEventLike['sender']): boolean;
  /** Is this URL our renderer (electron/policy.ts isTrustedRendererUrl)? */
  isTrustedUrl(url: string): boolean;
}

export function isTrustedSender(event: InvokeEventLike, policy: SenderPolicy): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  if (!policy.isAttached(event.sender)) return false;
  return policy.isTrustedUrl(frame.url);
}

export interface HandlerSpec<E extends InvokeEventLike, A, R> {
  /** The argument, checked; null when malformed. */
  parse(raw: unknown): A | null;
  run(event: E, arg: A): R | Promise<R>;
  /** The answer to a caller that is not our renderer's main frame (or throw). */
  refused(): R;
  /** The answer to a malformed argument (or throw). */
  malformed(): R;
}

/** Wrap `spec.run` so it runs only for a trusted sender with a well-formed argument. */
export function validatedHandler<E extends InvokeEventLike, A, R>(policy: SenderPolicy, spec: HandlerSpec<E, A, R>): (event: E, raw: unknown) => Promise<R> {
  return async (event, raw) => {
    if (!isTrustedSender(event, policy)) return spec.refused();
    const arg = spec.parse(raw);
    if (arg === null) return spec.malformed();
    return spec.run(event, arg);
  };
}
