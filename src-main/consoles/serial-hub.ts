import type { Duplex } from 'node:stream';
import type { Host } from '../hosts/host';

/**
 * QEMU's serial socket takes one client at a time, so the engine holds one connection per VM
 * and fans its bytes out to every viewer (UI tabs, CLI). Input from any viewer goes to the guest.
 */
export interface SerialViewer {
  onData(chunk: Buffer): void;
  onClose(reason: string): void;
}

export class SerialHub {
  private stream: Duplex | null = null;
  private connecting: Promise<void> | null = null;
  private readonly viewers = new Set<SerialViewer>();

  constructor(
    private readonly host: Host,
    private readonly socketPath: string,
    private readonly onEmpty: () => void,
  ) {}

  async add(viewer: SerialViewer): Promise<void> {
    await this.connect();
    this.viewers.add(viewer);
  }

  remove(viewer: SerialViewer): void {
    this.viewers.delete(viewer);
    if (this.viewers.size === 0) {
      this.stream?.destroy();
      this.stream = null;
      this.onEmpty();
    }
  }

  write(data: Buffer): void {
    this.stream?.write(data);
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  private connect(): Promise<void> {
    if (this.stream) return Promise.resolve();
    if (!this.connecting) {
      this.connecting = (async () => {
        try {
          const stream = await this.host.connectUnix(this.socketPath, 3000);
          this.stream = stream;
          stream.on('data', (chunk: Buffer) => {
            for (const v of this.viewers) v.onData(chunk);
          });
          const end = () => {
            if (this.stream !== stream) return;
            this.stream = null;
            const viewers = [...this.viewers];
            this.viewers.clear();
            for (const v of viewers) v.onClose('VM stopped: the serial console closed.');
            this.onEmpty();
          };
          stream.on('close', end);
          stream.on('error', end);
        } finally {
          this.connecting = null;
        }
      })();
    }
    return this.connecting;
  }

  close(reason: string): void {
    const viewers = [...this.viewers];
    this.viewers.clear();
    this.stream?.destroy();
    this.stream = null;
    for (const v of viewers) v.onClose(reason);
  }
}
