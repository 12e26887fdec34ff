import { HangarError } from '../api/errors';
import type { Host } from './host';

/** The hosts the engine knows, by id. The LAN-host issue adds SshHost entries from the hosts table. */
export class HostRegistry {
  private readonly hosts = new Map<string, Host>();

  add(host: Host): void {
    this.hosts.set(host.id, host);
  }

  remove(id: string): Host | undefined {
    const h = this.hosts.get(id);
    this.hosts.delete(id);
    return h;
  }

  get(id: string): Host {
    const host = this.hosts.get(id);
    if (!host) throw new HangarError('NOT_FOUND', `No host with id "${id}".`);
    return host;
  }

  all(): Host[] {
    return [...this.hosts.values()];
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.all().map((h) => h.close().catch(() => undefined)));
  }
}
