import type { Command } from 'commander';
import * as path from 'node:path';
import type { ApplianceReview, TaskInfo } from '../../api/contract';
import { HangarError } from '../../api/errors';
import { formatBytes } from '../../util/units';
import { UsageError, print, withClient } from '../common';
import { runTask } from './images';

/** `hangar vm export` and `hangar vm import-ova`: appliances (OVA/OVF, Hangar bundles). */

export function reviewText(r: ApplianceReview): string {
  const lines = [
    `Appliance:  ${r.path} (${r.kind}${r.kind === 'bundle' ? '' : `, OVF ${r.version}`}${r.producer ? `, written by ${r.producer}` : ''})`,
    `Name:       ${r.name}`,
    `CPUs:       ${r.cpus}`,
    `Memory:     ${r.memoryMiB} MiB`,
    `Firmware:   ${r.firmware === 'uefi' ? 'UEFI' : 'BIOS'}, machine ${r.machine}`,
    `OS:         ${r.os.family}${r.os.osinfo ? ` (osinfo ${r.os.osinfo})` : ''}${r.os.declared ? `, declared "${r.os.declared}"` : ''}`,
  ];
  for (const [i, d] of r.disks.entries()) lines.push(`Disk ${i + 1}:     ${d.file} (${d.format}, ${d.capacityBytes ? `${formatBytes(d.capacityBytes)} virtual, ` : ''}${formatBytes(d.fileBytes)} in the package) on ${d.bus}`);
  for (const [i, n] of r.nics.entries()) lines.push(`NIC ${i + 1}:      ${n.model}${n.mac ? ` ${n.mac}` : ''} (declared ${n.declared})`);
  lines.push(`Manifest:   ${r.manifest ? `${r.manifest.algorithm}, ${r.manifest.files} files (checked before anything is created)` : 'none (nothing to check the files against)'}`);
  if (r.notes.length === 0) lines.push('Everything in the appliance is supported.');
  else {
    lines.push('Not imported as declared:');
    for (const n of r.notes) lines.push(`  - ${n.item}: ${n.action === 'dropped' ? 'left out' : 'changed'}. ${n.reason}`);
  }
  return lines.join('\n');
}

function outcome(t: TaskInfo): Record<string, unknown> {
  if (t.state !== 'succeeded') throw new HangarError((t.error?.code as 'IO_ERROR') ?? 'INTERNAL', t.error?.message ?? `${t.title}: ${t.state}.`);
  return t.result ?? {};
}

export function registerApplianceCommands(program: Command): void {
  const vm = program.commands.find((c) => c.name() === 'vm') ?? program.command('vm');

  vm.command('export <name>')
    .description('Export a stopped VM as an OVA (OVF 1.0 + streamOptimized VMDK + SHA-256 manifest) or a Hangar bundle folder.')
    .option('--ova <file>', 'the .ova file to write')
    .option('--bundle <dir>', 'the bundle folder to create (qcow2 disks + the VM spec)')
    .option('--force', 'overwrite an existing .ova')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { ova?: string; bundle?: string; force?: boolean; json?: boolean }) => {
      if (!!o.ova === !!o.bundle) throw new UsageError('Say where to export: --ova FILE or --bundle DIR (one of them).');
      const target = path.resolve((o.ova ?? o.bundle)!);
      const r = await withClient(async (c) => outcome(await runTask(c, () => c.call('appliance.export', { vm: name, format: o.ova ? 'ova' : 'bundle', path: target, overwrite: !!o.force }), !!o.json)));
      print(!!o.json, r, () => `Exported "${name}" to ${target}${typeof r.bytes === 'number' ? ` (${formatBytes(r.bytes)})` : ''}.`);
    });

  vm.command('import-ova <file>')
    .description('Import an OVA, an .ovf (files beside it) or a Hangar bundle folder as a new VM. Shows the review first; --review stops there.')
    .option('--name <name>', 'the new VM\u2019s name (default: the appliance\u2019s)')
    .option('--review', 'only show what would be created; create nothing')
    .option('--json', 'print JSON')
    .action(async (file: string, o: { name?: string; review?: boolean; json?: boolean }) => {
      const p = path.resolve(file);
      await withClient(async (c) => {
        const review = await c.call('appliance.inspect', { path: p });
        if (o.review) return print(!!o.json, review, () => reviewText(review));
        if (!o.json) process.stderr.write(reviewText(review) + '\n');
        const r = outcome(await runTask(c, () => c.call('appliance.import', { path: p, ...(o.name ? { name: o.name } : {}) }), !!o.json));
        const info = await c.call('vm.get', { vm: String(r.vmId) });
        print(!!o.json, { vm: info, review }, () => `Imported as VM "${info.name}" (${info.spec.cpus} CPU, ${info.spec.memoryMiB} MiB, ${info.spec.disks.length} disk${info.spec.disks.length === 1 ? '' : 's'}). Start it with: hangar vm start "${info.name}"`);
      });
    });
}
