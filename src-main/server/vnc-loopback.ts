import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConsoleService } from '../consoles/console-service';
import { VNC_PATH } from '../consoles/console-service';
import { VncProxy } from '../consoles/vnc-proxy';

/**
 * The desktop app has no HTTP server (the renderer talks IPC), but noVNC needs a WebSocket.
 * This serves only `/vnc` on 127.0.0.1 at a random port, authorised by the same one-time
 * tickets as `hangar serve` (the ticket is the only key: it is random, bound to one VM, used
 * once and short-lived). Everything else gets 404.
 */
export async function startVncLoopback(consoles: ConsoleService): Promise<{ url: string; close(): Promise<void> }> {
  const proxy = new VncProxy(consoles);
  const server = http.createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const reject = (status: number, reason: string, body: string) => {
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    };
    let pathname = '';
    try {
      pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    } catch {
      pathname = '';
    }
    if (pathname !== VNC_PATH) return reject(404, 'Not Found', 'Only /vnc is served here.');
    void proxy.handleUpgrade(req, socket, head, reject);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        proxy.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
