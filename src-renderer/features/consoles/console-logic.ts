import type { VncTicket } from '../../../src-main/api/contract';

/** States in which QEMU runs and its consoles can be attached: the engine's own rule. */
export { isActive as isVmActive } from '../../../src-main/shared/vm-state';

/** Where to open the VNC WebSocket: the engine's own URL (desktop), else the page's origin (browser). */
export function vncUrl(ticket: Pick<VncTicket, 'path' | 'url'>, loc: Pick<Location, 'protocol' | 'host'>): string {
  if (ticket.url) return ticket.url;
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}${ticket.path}`;
}

/** The hash route of a detached console window: `#/console/<vm id>`. */
export function consoleRoute(vmId: string): string {
  return `#/console/${encodeURIComponent(vmId)}`;
}

export const HOST_SHELL_ROUTE = '#/host-shell';

export type Route = { kind: 'main' } | { kind: 'console'; vm: string } | { kind: 'host-shell'; hostId?: string; sshVm?: string };

/** A shell on a LAN host: `#/host-shell/<hostId>` (plain `#/host-shell` is this computer). */
export const hostShellRoute = (hostId: string) => `${HOST_SHELL_ROUTE}/${encodeURIComponent(hostId)}`;

/** ssh to a cloud VM in the host terminal: `#/ssh/<vm id>` (cloudinit/SshPanel). */
export const sshRoute = (vmId: string) => `#/ssh/${encodeURIComponent(vmId)}`;

export function parseRoute(hash: string): Route {
  const m = /^#\/console\/([^/?#]+)$/.exec(hash);
  if (m?.[1]) {
    try {
      return { kind: 'console', vm: decodeURIComponent(m[1]) };
    } catch {
      return { kind: 'main' };
    }
  }
  if (hash === HOST_SHELL_ROUTE) return { kind: 'host-shell' };
  const shell = /^#\/host-shell\/([A-Za-z0-9-]{1,64})$/.exec(hash);
  if (shell?.[1]) return { kind: 'host-shell', hostId: shell[1] };
  const ssh = /^#\/ssh\/([A-Za-z0-9-]{1,64})$/.exec(hash);
  if (ssh?.[1]) return { kind: 'host-shell', sshVm: ssh[1] };
  return { kind: 'main' };
}
