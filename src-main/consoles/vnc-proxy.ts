import type * as http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { HangarError } from '../api/errors';
import type { ConsoleService } from './console-service';

/** Far more than a VNC frame update needs; a stalled viewer is cut rather than buffered forever. */
const MAX_BUFFERED = 32 * 1024 * 1024;

/**
 * The `/vnc` WebSocket: binary frames ↔ the VM's VNC UNIX socket (through its Host, so LAN hosts
 * work the same). Each upgrade must carry a one-time ticket (`?ticket=`, from `vnc.ticket`);
 * it is consumed at once, so a second connection with the same ticket is refused.
 */
export class VncProxy {
  private readonly wss = new WebSocketServer({
    noServer: true,
    perMessageDeflate: false,
    maxPayload: 1024 * 1024,
    // noVNC may offer "binary"; accept it, or none.
    handleProtocols: (protocols) => (protocols.has('binary') ? 'binary' : false),
  });

  constructor(private readonly consoles: ConsoleService) {}

  /** Handle an HTTP upgrade whose path is /vnc. `reject` writes an HTTP error and closes. */
  async handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, reject: (status: number, reason: string, body: string) => void): Promise<void> {
    let ticket: string | null = null;
    try {
      ticket = new URL(req.url ?? '/', 'http://localhost').searchParams.get('ticket');
    } catch {
      ticket = null;
    }
    const vmId = this.consoles.tickets.redeem(ticket);
    if (!vmId) return reject(401, 'Unauthorized', 'This console ticket is missing, invalid, expired or already used. Open the console again.');
    let stream: Duplex;
    try {
      stream = await this.consoles.openVnc(vmId);
    } catch (e) {
      const message = e instanceof HangarError ? e.message : 'Cannot open the display.';
      return reject(409, 'Conflict', message);
    }
    if (socket.destroyed) {
      stream.destroy();
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => bridge(ws, stream));
  }

  close(): void {
    for (const ws of this.wss.clients) ws.close(1001, 'Hangar is shutting down');
    this.wss.close();
  }
}

/** Pipe a WebSocket and a byte stream into each other, with back-pressure on the VNC side. */
export function bridge(ws: WebSocket, stream: Duplex): void {
  stream.on('data', (chunk: Buffer) => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED) {
      ws.terminate();
      return;
    }
    ws.send(chunk, { binary: true });
  });
  ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
    const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    if (!stream.write(buf)) {
      ws.pause();
      stream.once('drain', () => ws.resume());
    }
  });
  // The guest went away (QEMU stopped): 4000 tells the viewer the VM stopped, not a network error.
  const streamEnded = () => {
    if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(4000, 'VM stopped');
  };
  stream.on('end', streamEnded);
  stream.on('close', streamEnded);
  stream.on('error', streamEnded);
  ws.on('close', () => stream.destroy());
  ws.on('error', () => stream.destroy());
}
