import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

/**
 * Helpers for the image library's tests and bench: a large, sparse-ish file, and a local HTTP
 * server with Range support that can drop a connection or send slowly (to test resume).
 */

/** A `mib` MiB file: a random MiB every 16 MiB, holes between (fast to make, real to hash). */
export function bigFile(dir: string, mib: number): string {
  const file = path.join(dir, `big-${mib}M.img`);
  if (fs.existsSync(file)) return file;
  const fd = fs.openSync(file, 'w');
  try {
    for (let off = 0; off < mib; off += 16) fs.writeSync(fd, randomBytes(1024 * 1024), 0, 1024 * 1024, off * 1024 * 1024);
    fs.ftruncateSync(fd, mib * 1024 * 1024);
  } finally {
    fs.closeSync(fd);
  }
  return file;
}

interface Route {
  file?: string;
  text?: string;
  /** The first response stops after this many bytes (the socket is destroyed). */
  dropAfterBytes?: number;
  bytesPerSecond?: number;
  dropped?: boolean;
}

export interface RangeServer {
  url: string;
  serve(urlPath: string, file: string, opts?: { dropAfterBytes?: number; bytesPerSecond?: number }): void;
  text(urlPath: string, text: string): void;
  /** The Range headers each request of this path carried ("" when none). */
  ranges(urlPath: string): string[];
  close(): Promise<void>;
}

export async function rangeServer(): Promise<RangeServer> {
  const routes = new Map<string, Route>();
  const seen = new Map<string, string[]>();
  const server = http.createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    const route = routes.get(p);
    seen.set(p, [...(seen.get(p) ?? []), String(req.headers.range ?? '')]);
    if (!route) {
      res.writeHead(404).end('not found');
      return;
    }
    if (route.text !== undefined) {
      res.writeHead(200, { 'content-type': 'text/plain' }).end(route.text);
      return;
    }
    const size = fs.statSync(route.file!).size;
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''));
    if (m) {
      start = Number(m[1]);
      if (start >= size) {
        res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
        return;
      }
      res.writeHead(206, { 'content-length': size - start, 'content-range': `bytes ${start}-${size - 1}/${size}`, 'accept-ranges': 'bytes' });
    } else res.writeHead(200, { 'content-length': size, 'accept-ranges': 'bytes' });
    const drop = !route.dropped && route.dropAfterBytes !== undefined ? route.dropAfterBytes : null;
    if (drop !== null) route.dropped = true;
    void (async () => {
      const stream = fs.createReadStream(route.file!, { start, highWaterMark: 64 * 1024 });
      res.on('close', () => stream.destroy());
      let sent = 0;
      try {
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          if (drop !== null && sent + chunk.length > drop) {
            res.write(chunk.subarray(0, drop - sent));
            await new Promise((r) => setTimeout(r, 50));
            res.socket?.destroy();
            return;
          }
          sent += chunk.length;
          if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
          if (route.bytesPerSecond) await new Promise((r) => setTimeout(r, (chunk.length / route.bytesPerSecond!) * 1000));
        }
        res.end();
      } catch {
        res.destroy();
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    serve: (p, file, opts = {}) => void routes.set(p, { file, ...opts }),
    text: (p, text) => void routes.set(p, { text }),
    ranges: (p) => seen.get(p) ?? [],
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
