import type { VmSpec } from '../api/contract';
import type { VmPaths } from '../qemu/paths';
import { shareTransport, virtiofsSocket } from './virtiofs';

/**
 * The guest-integration part of QEMU's argv (pure; called by qemu/argv.ts):
 *  - the guest agent's virtio-serial port `org.qemu.guest_agent.0` on a UNIX socket in the VM's
 *    runtime folder (guest/qga.ts talks to it);
 *  - a `qemu-vdagent` chardev with clipboard on the SPICE agent port `com.redhat.spice.0`, so QEMU's
 *    VNC server (and so noVNC's clipboard) shares text with a guest running spice-vdagent;
 *  - shared folders over virtio-9p (guest/shares.ts says why `mapped-xattr`), or over virtiofs
 *    (vhost-user-fs to a virtiofsd per share, guest/virtiofs.ts) where the host can run virtiofsd;
 *    virtiofsd maps guest RAM, so then the RAM is a shared memfd backend.
 */
export interface GuestArgvFacts {
  /** QEMU's version ("7.2.22"); qemu-vdagent exists from 6.1 on. Unknown: assume it does. */
  qemuVersion?: string | undefined;
  /** virtiofsd can run on the VM's host (guest/virtiofs.ts): read-write shares use virtiofs. */
  virtiofs?: boolean | undefined;
}

/** Does this QEMU have the qemu-vdagent chardev (6.1 or later)? */
export function hasVdagent(version: string | undefined): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version ?? '');
  if (!m) return true;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > 6 || (major === 6 && minor >= 1);
}

/**
 * Does this VM run a qemu-vdagent chardev? QEMU 7.2 cannot migrate one, so while it runs it can
 * take no RAM snapshot (snapshot-save is a migration to a file), load none, and not move live.
 */
export function vdagentBlocksMigration(spec: VmSpec): boolean {
  return spec.clipboard === true && spec.display === 'vnc';
}

/** The sentence for a refused RAM snapshot or live move (instead of QEMU's "non-migratable device"). */
export function vdagentBlockReason(name: string, action: string): string {
  return `"${name}" shares the clipboard (qemu-vdagent), which QEMU cannot save or migrate: ${action} is not possible while it runs. Stop the VM (a stopped VM's snapshots are disk-only), or turn Clipboard off in its settings and restart it.`;
}

const opt = (value: string): string => value.replace(/,/g, ',,');

export function guestDevices(spec: VmSpec, paths: VmPaths, facts: GuestArgvFacts = {}): string[] {
  const out: string[] = [];
  // Specs stored before these fields existed lack them: the agent defaults on, the clipboard off
  // (a vdagent chardev blocks RAM snapshots and live migration: QEMU cannot migrate it).
  const agent = spec.guestAgent !== false;
  const clipboard = spec.clipboard === true && spec.display === 'vnc' && hasVdagent(facts.qemuVersion);
  if (agent || clipboard) out.push('-device', 'virtio-serial-pci,id=vser0');
  if (agent) {
    out.push('-chardev', `socket,id=qga0,path=${opt(paths.qgaSocket)},server=on,wait=off`);
    out.push('-device', 'virtserialport,bus=vser0.0,chardev=qga0,name=org.qemu.guest_agent.0');
  }
  if (clipboard) {
    out.push('-chardev', 'qemu-vdagent,id=vdagent0,name=vdagent,clipboard=on');
    out.push('-device', 'virtserialport,bus=vser0.0,chardev=vdagent0,name=com.redhat.spice.0');
  }
  const virtiofs = (spec.sharedFolders ?? []).some((s) => shareTransport(s, facts.virtiofs === true) === 'virtiofs');
  if (virtiofs) {
    // `-machine` options merge: the machine type stays the one given first (qemu/argv.ts)
    out.push('-object', `memory-backend-memfd,id=mem,size=${spec.memoryMiB}M,share=on`, '-machine', 'memory-backend=mem');
  }
  (spec.sharedFolders ?? []).forEach((share, i) => {
    if (shareTransport(share, facts.virtiofs === true) === 'virtiofs') {
      out.push('-chardev', `socket,id=vfs${i},path=${opt(virtiofsSocket(paths, i))}`);
      out.push('-device', `vhost-user-fs-pci,id=share${i},chardev=vfs${i},tag=${share.tag}`);
      return;
    }
    out.push('-fsdev', `local,id=fs${i},path=${opt(share.path)},security_model=mapped-xattr${share.readOnly ? ',readonly=on' : ''}`);
    out.push('-device', `virtio-9p-pci,id=share${i},fsdev=fs${i},mount_tag=${share.tag}`);
  });
  return out;
}
