import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import { THUMBNAIL_WIDTH, VNC_TICKET_TTL_SEC, type VmThumbnail, type VncTicket } from '../api/contract/consoles';
import { HangarError } from '../api/errors';
import type { VmService } from '../compute/vm-service';
import { assertAction } from '../compute/state-machine';
import type { HostRegistry } from '../hosts/registry';
import { decodePng, encodePng, scaleDown } from './png';
import { VncTickets } from './vnc-tickets';

/** A thumbnail younger than this is served from cache: many rows and windows may ask at once. */
const THUMBNAIL_MAX_AGE_MS = 2000;
export const VNC_PATH = '/vnc';

/**
 * The graphical side of consoles: VNC tickets, the VNC stream behind the `/vnc` WebSocket,
 * and screen thumbnails (QMP `screendump`). Faces (serve, Electron) own the WebSocket and
 * call `openVnc` once a ticket checks out.
 */
export class ConsoleService {
  readonly tickets = new VncTickets();
  /** Set by a face that serves `/vnc` on another origin than its pages (the desktop app's loopback server). */
  vncBaseUrl: string | null = null;
  private readonly thumbnails = new Map<string, { at: number; value: Promise<VmThumbnail> }>();

  constructor(
    private readonly vms: VmService,
    private readonly hosts: HostRegistry,
  ) {}

  async ticket(ref: string): Promise<VncTicket> {
    const vm = await this.vms.resolveFresh(ref);
    this.requireDisplay(vm.name, vm.spec.display);
    assertAction('console', vm.name, vm.state);
    const ticket = this.tickets.issue(vm.id);
    const query = `${VNC_PATH}?ticket=${encodeURIComponent(ticket)}`;
    return { ticket, path: query, url: this.vncBaseUrl ? this.vncBaseUrl + query : null, expiresInSec: VNC_TICKET_TTL_SEC };
  }

  /** The VNC byte stream of the VM a ticket was issued for. Throws HangarError with a sentence. */
  async openVnc(vmId: string): Promise<Duplex> {
    const vm = await this.vms.resolveFresh(vmId).catch(() => {
      throw new HangarError('NOT_FOUND', 'This VM no longer exists.');
    });
    this.requireDisplay(vm.name, vm.spec.display);
    assertAction('console', vm.name, vm.state);
    const paths = await this.vms.paths(vm);
    try {
      return await this.hosts.get(vm.hostId).connectUnix(paths.vncSocket, 3000);
    } catch (e) {
      throw new HangarError('INVALID_STATE', `Cannot reach the display of "${vm.name}" (${(e as Error).message}). Is the VM still running?`);
    }
  }

  /**
   * A small PNG of the VM's screen: QEMU's capture decoded, box-filtered down to THUMBNAIL_WIDTH
   * and re-encoded in plain TypeScript (png.ts, node:zlib), so a list of live rows costs a few
   * KiB each. Should a capture be in a layout png.ts does not read, the original is served.
   */
  thumbnail(ref: string): Promise<VmThumbnail> {
    const vm = this.vms.resolve(ref);
    const cached = this.thumbnails.get(vm.id);
    if (cached && Date.now() - cached.at < THUMBNAIL_MAX_AGE_MS) return cached.value;
    const value = this.captureThumbnail(vm.id);
    this.thumbnails.set(vm.id, { at: Date.now(), value });
    value.catch(() => this.thumbnails.delete(vm.id));
    return value;
  }

  private async captureThumbnail(vmId: string): Promise<VmThumbnail> {
    return this.vms.withQmp(vmId, async (qmp, vm) => {
      this.requireDisplay(vm.name, vm.spec.display);
      const host = this.hosts.get(vm.hostId);
      const paths = await this.vms.paths(vm);
      // QEMU writes the file itself, on the VM's host; the temp name keeps two captures apart.
      const file = path.join(paths.runDir, `screen-${process.pid}-${Date.now()}.png`);
      try {
        await qmp.command('screendump', { filename: file, format: 'png' }, 10000);
        const png = await host.fs.readFile(file);
        const screen = pngSize(png);
        let small = png;
        let size = screen;
        try {
          const img = scaleDown(decodePng(png), THUMBNAIL_WIDTH);
          small = encodePng(img);
          size = { width: img.width, height: img.height };
        } catch {
          // unexpected PNG layout: the browser scales the original instead
        }
        return {
          dataUrl: `data:image/png;base64,${small.toString('base64')}`,
          width: size.width,
          height: size.height,
          screenWidth: screen.width,
          screenHeight: screen.height,
          at: new Date().toISOString(),
        };
      } finally {
        await host.fs.rm(file).catch(() => undefined);
      }
    });
  }

  private requireDisplay(name: string, display: string): void {
    if (display !== 'vnc') throw new HangarError('UNSUPPORTED', `VM "${name}" has no graphical display (display: none). Use its serial console, or set its display to VNC while it is shut down.`);
  }

  forget(vmId: string): void {
    this.thumbnails.delete(vmId);
  }
}

/** Width and height from a PNG's IHDR chunk (bytes 16..24). */
export function pngSize(png: Buffer): { width: number; height: number } {
  if (png.length < 24 || png.readUInt32BE(12) !== 0x49484452) throw new HangarError('QEMU_FAILED', 'QEMU returned a screen capture that is not a PNG.');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
