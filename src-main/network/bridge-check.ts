import * as path from 'node:path';
import type { HostBridgeInfo, HostBridgeReport } from '../api/contract';
import type { Host } from '../hosts/host';

/**
 * Bridged NICs (`-netdev bridge,br=NAME`) need QEMU's bridge helper: it must be setuid root
 * (unless QEMU runs as root), and /etc/qemu/bridge.conf must hold `allow NAME` (or `allow all`).
 * Without those QEMU fails at start with a terse message; we find out first and say what to do.
 */
export const BRIDGE_HELPERS = ['/usr/lib/qemu/qemu-bridge-helper', '/usr/libexec/qemu-bridge-helper', '/usr/local/libexec/qemu-bridge-helper'];
export const BRIDGE_CONF = '/etc/qemu/bridge.conf';
const SETUID = 0o4000;

export async function hostBridges(host: Host): Promise<HostBridgeReport> {
  const names = (await host.fs.readdir('/sys/class/net').catch(() => [] as string[])).sort();
  const bridges: HostBridgeInfo[] = [];
  for (const name of names) {
    if (!(await host.fs.stat(`/sys/class/net/${name}/bridge`))?.isDirectory) continue;
    const reason = await bridgeProblem(host, name);
    bridges.push({ name, usable: reason === null, reason });
  }
  return { hostId: host.id, helper: await findHelper(host), bridges };
}

/** Null when QEMU on this host may join bridge `name`; otherwise what is wrong and how to fix it. */
export async function bridgeProblem(host: Host, name: string): Promise<string | null> {
  if (!(await host.fs.stat(`/sys/class/net/${name}`)))
    return `There is no network interface "${name}" on this host: create a bridge first (e.g. with NetworkManager or /etc/network/interfaces), or use NAT or an internal network.`;
  if (!(await host.fs.stat(`/sys/class/net/${name}/bridge`))?.isDirectory) return `"${name}" is a network interface but not a bridge: bridged NICs need a Linux bridge (e.g. br0) with the physical interface in it.`;
  const helper = await findHelper(host);
  if (!helper) return "QEMU's bridge helper (qemu-bridge-helper) is not installed on this host: install the qemu-system-common package.";
  const { uid } = await host.info();
  const st = await host.fs.stat(helper);
  if (uid !== 0 && st && (st.mode & SETUID) === 0) return `${helper} is not setuid root, so QEMU cannot add its tap device to "${name}" without root: run "sudo chmod u+s ${helper}" (a choice for the host's administrator).`;
  const allowed = await bridgeAllowed(host, name);
  if (allowed === 'unreadable') return `${BRIDGE_CONF} cannot be read by Hangar, so it cannot check that bridge "${name}" is allowed: make sure it holds the line "allow ${name}".`;
  if (!allowed) return `${BRIDGE_CONF} does not allow bridge "${name}": add the line "allow ${name}" to it (as root; create the folder /etc/qemu if needed).`;
  return null;
}

async function findHelper(host: Host): Promise<string | null> {
  for (const p of BRIDGE_HELPERS) if ((await host.fs.stat(p))?.isFile) return p;
  return null;
}

/** Read bridge.conf like the helper does: `allow NAME|all`, `deny NAME|all`, `include FILE`; last match wins. */
async function bridgeAllowed(host: Host, name: string, file = BRIDGE_CONF, depth = 0): Promise<boolean | 'unreadable'> {
  if (!(await host.fs.stat(file))) return false;
  let text: string;
  try {
    text = (await host.fs.readFile(file)).toString('utf8');
  } catch {
    return 'unreadable';
  }
  let allowed = false;
  for (const raw of text.split('\n')) {
    const [verb, arg] = raw.replace(/#.*/, '').trim().split(/\s+/);
    if (!verb || !arg) continue;
    if ((verb === 'allow' || verb === 'deny') && (arg === name || arg === 'all')) allowed = verb === 'allow';
    if (verb === 'include' && depth < 4) {
      const sub = await bridgeAllowed(host, name, path.resolve(path.dirname(file), arg), depth + 1);
      if (sub === true) allowed = true;
    }
  }
  return allowed;
}
