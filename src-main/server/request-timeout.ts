import type * as http from 'node:http';

/**
 * Per-request time limits for `hangar serve`, in place of Node's server-wide `requestTimeout`.
 *
 * Why not Node's: `server.requestTimeout` applies to every request of the server and cannot be
 * lifted for one, so a browser upload of a multi-GB image died after 60 s. Node's
 * `headersTimeout` stays on (slow headers are cut before any handler runs); what Node's
 * `requestTimeout` did for bodies is done here for every request, except the authenticated
 * upload route, which gets an idle limit instead (no byte for that long = gone).
 */

export const REQUEST_TIMEOUT_MS = 60_000;

/**
 * The whole request (headers + body) must arrive within `ms` of the handler seeing it; a body
 * still dribbling in after that (slowloris) gets 408 and the connection is closed.
 */
export function limitRequestTime(req: http.IncomingMessage, res: http.ServerResponse, ms: number): void {
  if (ms <= 0) return;
  const timer = setTimeout(() => {
    if (req.complete) return;
    const socket = req.socket;
    if (res.headersSent || res.writableEnded) return void socket.destroy();
    const text = 'Request Timeout';
    res.statusCode = 408;
    res.setHeader('Connection', 'close');
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.end(text, () => socket.destroy());
    setTimeout(() => socket.destroy(), 1000).unref();
  }, ms);
  timer.unref();
  // not on the response's end: a 401 sent at once must not lift the limit on a body still dribbling
  const clear = () => {
    if (req.complete) clearTimeout(timer);
  };
  req.once('end', clear);
  req.once('close', clear);
}

/**
 * A long upload has no overall limit, but a client that sends nothing for `ms` is dropped.
 * The limit is lifted once the body is in (the import that follows may take its time).
 */
export function limitUploadIdle(req: http.IncomingMessage, ms: number): void {
  if (ms <= 0) return;
  req.setTimeout(ms, () => req.socket.destroy());
  req.once('end', () => req.socket.setTimeout(0));
}
