import * as net from 'node:net';
import type { Host } from './host';

/**
 * Loopback TCP facts of a host, for cloud-init VMs' SSH forwards: a free port to forward, and
 * whether a forwarded port answers with an SSH banner ("SSH-2.0-..."). On this computer with
 * sockets; on a LAN host through its Host (bash's /dev/tcp, the port passed as an argument, the
 * script constant), since the forward listens on that host's loopback.
 */

const REMOTE_BANNER = 'exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 3; IFS= read -r -t "$2" line <&3 || exit 4; printf "%s\\n" "$line"';
const REMOTE_CONNECT = 'exec 3<>"/dev/tcp/127.0.0.1/$1"';

/** A port nobody listens on now, on the host's 127.0.0.1, not in `avoid`. */
export async function freeLoopbackPort(host: Host, avoid: ReadonlySet<number>): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    let port: number;
    if (host.kind === 'local') {
      port = await new Promise<number>((resolve, reject) => {
        const server = net.createServer();
        server.once('error', reject);
        server.listen({ host: '127.0.0.1', port: 0, exclusive: true }, () => {
          const address = server.address();
          const p = typeof address === 'object' && address ? address.port : 0;
          server.close(() => resolve(p));
        });
      });
    } else {
      port = 20000 + Math.floor(Math.random() * 40000);
      const r = await host.exec('bash', ['-c', REMOTE_CONNECT, 'hangar-port', String(port)], { timeoutMs: 10000 });
      if (r.code === 0) continue; // someone listens there
    }
    if (port > 0 && !avoid.has(port)) return port;
  }
  throw new Error('No free loopback port found for the SSH forward.');
}

/** The first line the port sends, when it is an SSH banner; null otherwise. */
export async function sshBanner(host: Host, port: number, timeoutMs = 3000): Promise<string | null> {
  if (host.kind !== 'local') {
    const r = await host.exec('bash', ['-c', REMOTE_BANNER, 'hangar-ssh-probe', String(port), String(Math.ceil(timeoutMs / 1000))], { timeoutMs: timeoutMs + 5000 });
    const line = r.stdout.trim();
    return r.code === 0 && line.startsWith('SSH-') ? line : null;
  }
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let data = '';
    const done = (v: string | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      data += chunk.toString('latin1');
      const nl = data.indexOf('\n');
      if (nl >= 0 || data.length > 255) {
        const line = data.slice(0, nl >= 0 ? nl : 255).trim();
        done(line.startsWith('SSH-') ? line : null);
      }
    });
    socket.on('error', () => done(null));
    socket.on('close', () => done(null));
  });
}
