import type { Command } from 'commander';
import * as path from 'node:path';
import type { MethodInput, OsDbStatus, OsDetail, OsDetection, OsEntry } from '../../api/contract';
import { formatBytes } from '../../util/units';
import { print, withClient } from '../common';
import { table } from '../output';

/** `hangar os ...`: OSes from osinfo-db (list/search, one OS, detect the OS on an ISO). */

const mem = (mib: number | null) => (mib === null ? '-' : mib >= 1024 ? `${+(mib / 1024).toFixed(1)} GiB` : `${mib} MiB`);
const disk = (b: number | null) => (b === null ? '-' : formatBytes(b));

function osTable(list: OsEntry[], status: OsDbStatus): string {
  if (!status.available) return status.installHint ?? 'osinfo-db is not installed.';
  if (list.length === 0) return 'No OS matches. Try a shorter search (e.g. "debian", "win", "ubuntu 22").';
  return table(
    list.map((o) => [o.id, o.name, o.vendor, o.releaseDate ?? '-', `${o.minimum.cpus ?? '-'} / ${mem(o.minimum.memoryMiB)} / ${disk(o.minimum.diskBytes)}`, o.defaults.firmware.toUpperCase() + (o.defaults.tpm ? '+TPM' : '')]),
    ['ID', 'NAME', 'VENDOR', 'RELEASED', 'MINIMUM CPU/RAM/DISK', 'FIRMWARE'],
  );
}

export function osDetails(o: OsDetail): string {
  const d = o.defaults;
  const lines = [
    `ID:          ${o.id}${o.shortIds.length > 1 ? ` (also ${o.shortIds.slice(1).join(', ')})` : ''}`,
    `Name:        ${o.name}`,
    `Vendor:      ${o.vendor}`,
    `Family:      ${o.family} (osinfo: ${o.osinfoFamily})`,
    `Released:    ${o.releaseDate ?? 'unknown'}${o.eolDate ? `, end of life ${o.eolDate}` : ''}`,
    `Minimum:     ${o.minimum.cpus ?? '-'} CPU, ${mem(o.minimum.memoryMiB)} memory, ${disk(o.minimum.diskBytes)} disk`,
    `Recommended: ${o.recommended.cpus ?? '-'} CPU, ${mem(o.recommended.memoryMiB)} memory, ${disk(o.recommended.diskBytes)} disk`,
    `Defaults:    ${d.cpus} CPU, ${mem(d.memoryMiB)}, ${disk(d.diskBytes)} disk, ${d.firmware.toUpperCase()}${d.secureBoot ? ' + Secure Boot' : ''}${d.tpm ? ' + TPM 2.0' : ''}, ${d.machine}, ${d.diskBus} disk, ${d.nicModel}, RTC ${d.clock}${d.hyperv ? ', Hyper-V enlightenments' : ''}`,
  ];
  for (const n of d.notes) lines.push(`             ${n}`);
  for (const m of o.media.filter((x) => x.url)) lines.push(`Media:       ${m.arch}${m.variant ? ` ${m.variant}` : ''}${m.live ? ' (live)' : ''} ${m.url ?? ''}`);
  return lines.join('\n');
}

function detectionText(d: OsDetection, file: string): string {
  const lines = [
    `File:        ${file}`,
    `Volume ID:   ${d.volumeId || '(empty)'}`,
  ];
  if (d.systemId) lines.push(`System ID:   ${d.systemId}`);
  if (d.publisherId) lines.push(`Publisher:   ${d.publisherId}`);
  if (d.applicationId) lines.push(`Application: ${d.applicationId}`);
  lines.push(d.os ? `OS:          ${d.os.name} (${d.os.id}), ${d.media?.arch ?? ''}${d.media?.live ? ', live media' : ''}` : 'OS:          Unknown OS (osinfo-db has no media rule that matches this ISO)');
  return lines.join('\n');
}

export function registerOsCommands(program: Command): void {
  const os = program.command('os').description('Operating systems from osinfo-db: list, show, detect the OS on an ISO.');

  os.command('list')
    .description('OSes osinfo-db knows, newest first.')
    .option('--search <text>', 'only OSes whose id, name, vendor or codename contain every word')
    .option('--json', 'print JSON')
    .action(async (o: { search?: string; json?: boolean }) => {
      const [status, list] = await withClient(async (c) => [await c.call('os.status', {}), await c.call('os.list', o.search ? { search: o.search } : {})] as const);
      print(!!o.json, list, () => osTable(list, status));
    });

  os.command('show <id>')
    .description('One OS by osinfo short id (win11, debian11, ubuntu22.04): requirements, Hangar defaults, media.')
    .option('--json', 'print JSON')
    .action(async (id: string, o: { json?: boolean }) => {
      const detail = await withClient((c) => c.call('os.get', { id }));
      print(!!o.json, detail, () => osDetails(detail));
    });

  os.command('detect <file>')
    .description('Which OS is on this ISO, by osinfo-db\u2019s media rules (as osinfo-detect).')
    .option('--json', 'print JSON')
    .action(async (file: string, o: { json?: boolean }) => {
      const abs = path.resolve(file);
      const d = await withClient((c) => c.call('os.detect', { path: abs }));
      print(!!o.json, d, () => detectionText(d, abs));
    });
}

/**
 * `vm create --os-id ID`: the OS's defaults fill every setting the command line did not give
 * (`given(option)` says which it did). Returns warnings for values under the OS's minimum.
 */
export function applyOsDefaults(input: MethodInput<'vm.create'>, o: OsDetail, given: (option: string) => boolean, hasOtherDisk: boolean): string[] {
  const d = o.defaults;
  input.os = { family: o.family, variant: '', id: o.id, name: o.name.slice(0, 100) };
  if (!given('cpus')) input.cpus = d.cpus;
  if (!given('memory')) input.memoryMiB = d.memoryMiB;
  if (!given('disk') && !hasOtherDisk) input.diskSizeBytes = d.diskBytes;
  if (!given('firmware')) input.firmware = d.firmware;
  if (!given('machine')) input.machine = d.machine;
  if (!given('secureBoot')) input.secureBoot = d.secureBoot && (input.firmware ?? 'bios') === 'uefi';
  if (!given('tpm')) input.tpm = d.tpm;
  if (!given('rtc')) input.rtc = d.clock;
  if (!given('hyperv')) input.hyperv = d.hyperv;
  if (!given('diskBus')) input.diskBus = d.diskBus;
  if (!given('video') && d.video === 'virtio') input.video = 'virtio';
  if (!given('nicModel')) input.nics = (input.nics ?? []).map((n) => ({ ...n, model: d.nicModel }));
  const warnings: string[] = [];
  const min = o.minimum;
  if (min.cpus !== null && (input.cpus ?? 1) < min.cpus) warnings.push(`${o.name} needs at least ${min.cpus} CPUs (given ${input.cpus ?? 1}).`);
  if (min.memoryMiB !== null && (input.memoryMiB ?? 0) < min.memoryMiB) warnings.push(`${o.name} needs at least ${mem(min.memoryMiB)} of memory (given ${mem(input.memoryMiB ?? 0)}).`);
  if (min.diskBytes !== null && (input.diskSizeBytes ?? 0) > 0 && (input.diskSizeBytes ?? 0) < min.diskBytes) warnings.push(`${o.name} needs a disk of at least ${disk(min.diskBytes)} (given ${disk(input.diskSizeBytes ?? 0)}).`);
  return warnings;
}
