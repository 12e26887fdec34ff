import type { Command } from 'commander';
import * as path from 'node:path';
import * as readline from 'node:readline/promises';
import type { HostCapabilities, HostSummary, MethodInput } from '../../api/contract';
import { HangarError, isApiErrorShape } from '../../api/errors';
import { formatBytes } from '../../util/units';
import { UsageError, parseInteger, print, withClient } from '../common';
import { table } from '../output';
import { runTask } from './images';

/** `hangar host ...`: LAN hosts over SSH (add with host-key confirmation, list, probe, remove, copy). */

function hostTable(hosts: HostSummary[]): string {
  return table(
    hosts.map((h) => [h.name, h.kind, h.state, h.kind === 'ssh' ? `${h.user}@${h.address}:${h.port}` : '-', String(h.vmCount), h.stateReason ?? '', h.id.slice(0, 8)]),
    ['NAME', 'KIND', 'STATE', 'ADDRESS', 'VMS', 'NOTE', 'ID'],
  );
}

export function capabilitiesText(c: HostCapabilities): string {
  const lines = [
    `Host:        ${c.hostname}`,
    `QEMU:        ${c.qemu ? `${c.qemu.version} (${c.qemu.binary})` : 'not installed'}`,
    `qemu-img:    ${c.qemuImg ? c.qemuImg.version : 'not installed'}`,
    `Accel:       ${c.accel.toUpperCase()}${c.kvmUnavailableReason ? ` (${c.kvmUnavailableReason})` : ''}`,
    `CPUs:        ${c.cpus}`,
    `Memory:      ${formatBytes(c.memoryBytes)}`,
    `Disk:        ${formatBytes(c.diskFreeBytes)} free of ${formatBytes(c.diskTotalBytes)} (${c.hangarHome})`,
    `UEFI:        ${c.ovmf ? 'yes' : 'no (install ovmf)'}`,
  ];
  if (c.installHint) lines.push(`To do:       ${c.installHint}`);
  return lines.join('\n');
}

/** Read a line from the terminal without echoing it (for key passphrases). */
async function askHidden(question: string): Promise<string> {
  process.stderr.write(question);
  const stdin = process.stdin;
  stdin.setRawMode?.(true);
  stdin.resume();
  let text = '';
  try {
    return await new Promise<string>((resolve, reject) => {
      const onData = (b: Buffer) => {
        for (const ch of b.toString('utf8')) {
          if (ch === '\r' || ch === '\n') {
            stdin.off('data', onData);
            return resolve(text);
          }
          if (ch === '\u0003') {
            stdin.off('data', onData);
            return reject(new UsageError('Cancelled.'));
          }
          if (ch === '\u007f') text = text.slice(0, -1);
          else text += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode?.(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}

export function registerHostCommands(program: Command): void {
  const host = program.command('host').description('LAN hosts over SSH: add, list, probe, remove, copy files.');

  host
    .command('add <name> <address>')
    .description('Add a Linux host you reach over SSH (key from the SSH agent or --key). Shows its host key fingerprint to confirm.')
    .option('--user <user>', 'SSH user', process.env.USER ?? 'root')
    .option('--port <n>', 'SSH port', parseInteger('--port'), 22)
    .option('--key <file>', 'private key file (default: the SSH agent)')
    .option('--remote-home <path>', 'Hangar folder on that host (default: ~/.local/share/hangar of the user)')
    .option('--accept-fingerprint <SHA256:...>', 'the host key fingerprint you checked (non-interactive use)')
    .option('--json', 'print JSON')
    .action(async (name: string, address: string, o: { user: string; port: number; key?: string; remoteHome?: string; acceptFingerprint?: string; json?: boolean }) => {
      const input: MethodInput<'host.add'> = {
        name,
        address,
        user: o.user,
        port: o.port,
        ...(o.key ? { keyPath: path.resolve(o.key) } : {}),
        ...(o.remoteHome ? { remoteHome: o.remoteHome } : {}),
      };
      const result = await withClient(async (c) => {
        let fingerprint = o.acceptFingerprint;
        if (!fingerprint) {
          const first = await c.call('host.add', input);
          if (!first.needsConfirmation) return first;
          if (!process.stdin.isTTY) throw new UsageError(`${first.message}\nRun again with --accept-fingerprint ${first.fingerprint} once you have checked it.`);
          const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
          const answer = await rl.question(`${first.message}\nAccept this key and add the host? [y/N] `);
          rl.close();
          if (!/^y(es)?$/i.test(answer.trim())) throw new UsageError('Not added: the host key was not accepted.');
          fingerprint = first.fingerprint;
        }
        try {
          return await c.call('host.add', { ...input, acceptFingerprint: fingerprint });
        } catch (e) {
          if (!(isApiErrorShape(e) && e.details?.needsPassphrase && process.stdin.isTTY)) throw e;
          const passphrase = await askHidden(`Passphrase for ${o.key}: `);
          return c.call('host.add', { ...input, acceptFingerprint: fingerprint, passphrase });
        }
      });
      if (result.needsConfirmation) throw new HangarError('INTERNAL', 'The host key was not confirmed.');
      print(!!o.json, result, () => `Added "${result.host.name}" (${result.host.fingerprint}).\n${capabilitiesText(result.capabilities)}`);
    });

  host
    .command('list')
    .description('This computer and the LAN hosts, with their connection state.')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const hosts = await withClient((c) => c.call('host.list', {}));
      print(!!o.json, hosts, () => hostTable(hosts));
    });

  host
    .command('probe <name>')
    .description('Connect and report QEMU version, KVM or TCG, CPUs, memory and free disk.')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { json?: boolean }) => {
      const caps = await withClient((c) => c.call('host.probe', { host: name }));
      print(!!o.json, caps, () => capabilitiesText(caps));
      if (!caps.qemu) process.exitCode = 1;
    });

  host
    .command('remove <name>')
    .description('Forget a LAN host (refused while it has VMs). Nothing on the host is deleted.')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { json?: boolean }) => {
      const r = await withClient((c) => c.call('host.remove', { host: name }));
      print(!!o.json, r, () => `Removed host "${name}".`);
    });

  host
    .command('copy <from> <to>')
    .description('Copy a file between hosts, verified with SHA-256 at the far end. Paths are HOST:/abs/path (HOST "local" is this computer).')
    .option('--overwrite', 'replace the target file if it exists')
    .option('--json', 'print JSON')
    .action(async (from: string, to: string, o: { overwrite?: boolean; json?: boolean }) => {
      const t = await withClient(async (c) => {
        const hosts = await c.call('host.list', {});
        const parse = (spec: string) => {
          const i = spec.indexOf(':/');
          if (i <= 0) throw new UsageError(`"${spec}" is not HOST:/absolute/path.`);
          const ref = spec.slice(0, i);
          const h = hosts.find((x) => x.name.toLowerCase() === ref.toLowerCase() || x.id === ref);
          if (!h) throw new UsageError(`No host "${ref}" (see: hangar host list).`);
          return { hostId: h.id, path: spec.slice(i + 1) };
        };
        return runTask(c, async () => ({ task: await c.call('host.copyFile', { from: parse(from), to: parse(to), overwrite: !!o.overwrite }) }), !!o.json);
      });
      if (t.state !== 'succeeded') throw new HangarError((t.error?.code as 'IO_ERROR') ?? 'INTERNAL', t.error?.message ?? `${t.title}: ${t.state}.`);
      print(!!o.json, t, () => `Copied ${formatBytes(Number(t.result?.bytes ?? 0))}, SHA-256 ${String(t.result?.sha256)} verified on the target.`);
    });

  registerMoveCommand(host);
  registerMigrateCommand(host);
}

export function registerMoveCommand(host: Command): void {
  host
    .command('move-vm <vm> <host>')
    .description('Move a stopped machine to another host: files copied and SHA-256-verified there, then switched.')
    .option('--delete-source', 'remove the old folder after the switch (kept by default)')
    .option('--json', 'print JSON')
    .action(async (vm: string, target: string, o: { deleteSource?: boolean; json?: boolean }) => {
      const toHostId = await resolveHostId(target);
      const t = await withClient((c) => runTask(c, async () => ({ task: await c.call('host.moveVm', { vm, toHostId, deleteSource: !!o.deleteSource }) }), !!o.json));
      if (t.state !== 'succeeded') throw new HangarError((t.error?.code as 'IO_ERROR') ?? 'INTERNAL', t.error?.message ?? `${t.title}: ${t.state}.`);
      const kept = typeof t.result?.sourceKept === 'string' ? `\nThe old folder is kept at ${t.result.sourceKept} (remove it when you no longer need it).` : '';
      print(!!o.json, t, () => `Moved "${vm}" to ${target}: ${String(t.result?.dir)}.${kept}`);
    });
}

/** `hangar host migrate-vm VM --to HOST`: live migration (hosts/vm-migrate.ts). */
export function registerMigrateCommand(host: Command): void {
  host
    .command('migrate-vm <vm>')
    .description('Live-migrate a running machine from this computer to another host (RAM and device state; disks none or on shared storage).')
    .requiredOption('--to <host>', 'the destination host (name or id)')
    .option('--json', 'print JSON')
    .action(async (vm: string, o: { to: string; json?: boolean }) => {
      const t = await withClient((c) => runTask(c, async () => ({ task: await c.call('host.migrateVm', { vm, toHost: o.to }) }), !!o.json));
      if (t.state !== 'succeeded') throw new HangarError((t.error?.code as 'IO_ERROR') ?? 'INTERNAL', t.error?.message ?? `${t.title}: ${t.state}.`);
      print(!!o.json, t, () => `Migrated "${vm}" to ${o.to} (${formatBytes(Number(t.result?.bytes ?? 0))} sent); it runs there now.`);
    });
}

/** `--host NAME` of `vm create`: the host's id, by name or id. */
export async function resolveHostId(ref: string): Promise<string> {
  const hosts = await withClient((c) => c.call('host.list', {}));
  const h = hosts.find((x) => x.id === ref || x.name.toLowerCase() === ref.toLowerCase());
  if (!h) throw new UsageError(`No host "${ref}" (see: hangar host list).`);
  return h.id;
}
