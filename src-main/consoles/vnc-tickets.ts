import { randomBytes } from 'node:crypto';
import { VNC_TICKET_TTL_SEC } from '../api/contract/consoles';

/**
 * One-time tickets for the VNC WebSocket (the Proxmox pattern): an authorised API client asks
 * for a ticket bound to one VM, then opens `/vnc?ticket=…`. A ticket works once, for one VM,
 * within VNC_TICKET_TTL_SEC; so a URL seen in a log or a history is worthless afterwards.
 */
export class VncTickets {
  private readonly tickets = new Map<string, { vmId: string; expires: number }>();

  constructor(private readonly ttlMs = VNC_TICKET_TTL_SEC * 1000) {}

  issue(vmId: string): string {
    this.sweep();
    const ticket = randomBytes(24).toString('base64url');
    this.tickets.set(ticket, { vmId, expires: Date.now() + this.ttlMs });
    return ticket;
  }

  /** The VM the ticket was issued for, or null (unknown, expired, or already used). Consumes it. */
  redeem(ticket: string | null): string | null {
    if (!ticket) return null;
    const entry = this.tickets.get(ticket);
    if (!entry) return null;
    this.tickets.delete(ticket);
    return entry.expires >= Date.now() ? entry.vmId : null;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [t, e] of this.tickets) if (e.expires < now) this.tickets.delete(t);
  }
}
