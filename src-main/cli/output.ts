import type { DatabaseCheck, EngineNotice, HostCapabilities, VmInfo } from '../api/contract';
import { formatBytes, MiB } from '../util/units';

/** Plain-text rendering for the CLI. `--json` bypasses all of this. */
export function table(rows: string[][], header: string[]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
}

/**
 * `hosts` (from host.list) names each VM's host, and marks the state of a VM whose host is not
 * online as last known ("running?, host offline"): nobody can tell what it does now.
 */
export function vmTable(vms: VmInfo[], hosts: Array<{ id: string; name: string; state: string }> = []): string {
  if (vms.length === 0) return 'No machines yet. Create one with: hangar vm create --name NAME';
  const byId = new Map(hosts.map((h) => [h.id, h]));
  return table(
    vms.map((v) => {
      const h = byId.get(v.hostId);
      const stale = h && h.id !== 'local' && h.state !== 'online';
      return [v.name, v.damaged ? 'DAMAGED' : stale ? `${v.state}? (host ${h.state}, last known)` : v.state, v.damaged ? '-' : String(v.spec.cpus), v.damaged ? '-' : `${v.spec.memoryMiB} MiB`, h?.name ?? v.hostId, v.id.slice(0, 8)];
    }),
    ['NAME', 'STATE', 'CPUS', 'MEMORY', 'HOST', 'ID'],
  ) + damagedLines(vms);
}

/** Damaged VMs (unreadable stored settings) with the reason and the way out. */
function damagedLines(vms: VmInfo[]): string {
  const bad = vms.filter((v) => v.damaged);
  return bad.map((v) => `\n${v.name} is damaged: ${v.damaged}. Repair: hangar vm repair "${v.name}"; or remove: hangar vm delete "${v.name}" (files kept).`).join('');
}

export function vmDetails(v: VmInfo): string {
  const lines = [
    `Name:        ${v.name}`,
    `ID:          ${v.id}`,
    `State:       ${v.state}${v.stateReason ? ` (${v.stateReason})` : ''}`,
    ...(v.damaged ? [`Damaged:     ${v.damaged}`] : []),
    `Host:        ${v.hostId}`,
    `OS:          ${v.spec.os.family}${v.spec.os.variant ? ` ${v.spec.os.variant}` : ''}`,
    `CPUs:        ${v.spec.cpus}`,
    `Memory:      ${v.spec.memoryMiB} MiB`,
    `Firmware:    ${v.spec.firmware.toUpperCase()}, machine ${v.spec.machine}`,
    ...(v.spec.os.id ? [`OS (osinfo): ${v.spec.os.name ?? v.spec.os.id} (${v.spec.os.id})`] : []),
    ...(v.spec.rtc === 'localtime' || v.spec.hyperv ? [`Clock:       RTC ${v.spec.rtc}${v.spec.hyperv ? ', Hyper-V enlightenments' : ''}`] : []),
    `Security:    Secure Boot ${v.spec.secureBoot ? 'on' : 'off'}, TPM 2.0 ${v.spec.tpm ? 'on' : 'off'}`,
    `Display:     ${v.spec.display}`,
    `Folder:      ${v.dir}`,
  ];
  if (v.accel) lines.push(`Accel:       ${v.accel}`);
  if (v.pid) lines.push(`PID:         ${v.pid}`);
  for (const d of v.spec.disks) lines.push(`Disk:        ${d.path} (${d.format}, ${d.bus}${d.readOnly ? ', read-only' : ''})`);
  if (v.spec.cdrom) lines.push(`CD-ROM:      ${v.spec.cdrom}`);
  if (v.spec.kernel) lines.push(`Kernel:      ${v.spec.kernel.path}${v.spec.kernel.append ? ` "${v.spec.kernel.append}"` : ''}`);
  for (const n of v.spec.nics) {
    const fwd = n.portForwards.map((f) => `${f.protocol}:${f.hostAddress}:${f.hostPort}->${f.guestPort}`).join(', ');
    const mode = n.mode === 'internal' ? `internal network "${n.network ?? ''}"` : n.mode === 'bridge' ? `bridge ${n.bridge ?? ''}` : 'NAT';
    lines.push(`NIC:         ${n.model} ${n.mac} ${mode}${fwd ? ` [${fwd}]` : ''}`);
  }
  for (const f of v.spec.sharedFolders ?? []) lines.push(`Share:       ${f.path} as "${f.tag}"${f.readOnly ? ' (read-only)' : ''}`);
  if (v.guest) lines.push(...guestLines(v.guest));
  if (v.state === 'crashed' && v.lastSerialLines.length) lines.push('Last serial lines:', ...v.lastSerialLines.map((l) => `  ${l}`));
  return lines.join('\n');
}

/** The guest agent's view (vm show, vm ip). */
export function guestLines(g: NonNullable<VmInfo['guest']>): string[] {
  const state = { connected: 'connected', 'not-responding': 'not installed or not answering', disabled: 'off (no agent channel)', off: 'VM not running' }[g.agent];
  const lines = [`Agent:       ${state}`];
  if (g.hostname) lines.push(`Hostname:    ${g.hostname}`);
  if (g.os) lines.push(`Guest OS:    ${g.os.name}${g.os.kernel ? ` (kernel ${g.os.kernel})` : ''}`);
  if (g.ips.length) lines.push(`IP:          ${g.ips.join(', ')}`);
  if (g.installHint) lines.push(`Install:     ${g.installHint}`);
  return lines;
}

export function doctorReport(c: HostCapabilities): { text: string; ok: boolean } {
  const ok = !!c.qemu && !!c.qemuImg;
  const mark = (good: boolean) => (good ? 'ok  ' : 'FAIL');
  const lines = [
    `${mark(!!c.qemu)} QEMU:        ${c.qemu ? `${c.qemu.version} (${c.qemu.binary})` : 'not installed'}`,
    `${mark(!!c.qemuImg)} qemu-img:    ${c.qemuImg ? `${c.qemuImg.version} (${c.qemuImg.binary})` : 'not installed'}`,
    `${c.accel === 'kvm' ? 'ok  ' : 'warn'} Accelerator: ${c.accel === 'kvm' ? 'KVM' : `TCG (software emulation, much slower): ${c.kvmUnavailableReason ?? ''}`}`,
    `${c.ovmf ? 'ok  ' : 'warn'} UEFI (OVMF): ${c.ovmf ? c.ovmf.code : 'not installed (BIOS only); install the "ovmf" package for UEFI'}`,
    `${c.secureBootFirmware ? 'ok  ' : 'warn'} Secure Boot: ${c.secureBootFirmware ? `${c.secureBootFirmware.code} (${c.secureBootFirmware.descriptor})` : 'no OVMF with Microsoft keys found in /usr/share/qemu/firmware; install the "ovmf" package for Secure Boot'}`,
    `${c.swtpm ? 'ok  ' : 'warn'} TPM 2.0:     ${c.swtpm ? `swtpm ${c.swtpm.version} (${c.swtpm.binary})` : 'swtpm not installed; install the "swtpm" and "swtpm-tools" packages for TPM 2.0'}`,
    `ok   CPUs:        ${c.cpus}`,
    `ok   Memory:      ${Math.floor(c.memoryBytes / MiB)} MiB`,
    `ok   Disk free:   ${formatBytes(c.diskFreeBytes)} of ${formatBytes(c.diskTotalBytes)} in ${c.hangarHome}`,
  ];
  if (c.installHint) lines.push('', c.installHint);
  return { text: lines.join('\n'), ok };
}

/** `hangar doctor`: the database part (integrity, set-aside copies, damaged VMs, open notices). */
export function databaseReport(d: DatabaseCheck, notices: EngineNotice[]): { text: string; ok: boolean } {
  const lines = [`${d.ok ? 'ok  ' : 'FAIL'} Database:    ${d.file} (schema ${d.schemaVersion}): ${d.detail}`];
  for (const f of d.setAside) lines.push(`warn Set aside:   ${f} (a damaged copy kept after a rebuild; delete it when no longer needed)`);
  for (const v of d.damagedVms) lines.push(`FAIL VM damaged:  ${v.name}: ${v.reason}. Repair: hangar vm repair "${v.name}"; or remove: hangar vm delete "${v.name}" (files kept)`);
  for (const n of notices) lines.push('', `Notice #${n.id} (${n.at}):`, ...n.message.split('\n').map((l) => `  ${l}`), `  (dismiss: hangar doctor --dismiss ${n.id})`);
  return { text: lines.join('\n'), ok: d.ok && d.damagedVms.length === 0 };
}
