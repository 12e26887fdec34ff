import { Command, CommanderError, Option } from 'commander';
import * as path from 'node:path';
import type { MethodInput, PortForward, VmInfo } from '../api/contract';
import { HangarError, isApiErrorShape } from '../api/errors';
import { MiB, parseSize } from '../util/units';
import { runConsole } from './console';
import { UsageError, parseInteger, print, withClient } from './common';
import { databaseReport, doctorReport, table, vmDetails, vmTable } from './output';
import { domainCommands } from './commands';
import { resolveHostId } from './commands/hosts';
import { applyOsDefaults } from './commands/os';
import { addCloudInitOptions, cloudInitFromOptions } from './commands/cloudinit';

/**
 * The `hangar` command. Exit codes: 0 ok, 1 failure (one line on stderr), 2 bad usage.
 * Every command is a client of the engine contract; `--json` prints the contract's result.
 */
function parseMemory(text: string): number {
  if (/^\d+$/.test(text.trim())) return Number(text);
  return Math.round(parseSize(text) / MiB);
}

/** "2222:22", "tcp:2222:22", "tcp:127.0.0.1:2222:22", "udp:0.0.0.0:5353:53" */
export function parseForward(text: string, previous: PortForward[] = []): PortForward[] {
  const parts = text.split(':');
  let protocol: 'tcp' | 'udp' = 'tcp';
  if (parts[0] === 'tcp' || parts[0] === 'udp') protocol = parts.shift() as 'tcp' | 'udp';
  let hostAddress = '127.0.0.1';
  if (parts.length === 3) hostAddress = parts.shift()!;
  if (parts.length !== 2 || !parts.every((p) => /^\d+$/.test(p))) throw new UsageError(`Port forward "${text}" is not [tcp|udp:][ADDRESS:]HOSTPORT:GUESTPORT.`);
  return [...previous, { protocol, hostAddress, hostPort: Number(parts[0]), guestPort: Number(parts[1]) }];
}

const absolute = (p: string | undefined) => (p === undefined ? undefined : path.resolve(p));

export function buildProgram(): Command {
  const program = new Command('hangar')
    .description('Hangar: run and manage QEMU/KVM virtual machines on this computer and your LAN.')
    .version(require('../../../package.json').version as string)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('doctor')
    .description('Check that QEMU, qemu-img, KVM, OVMF, Secure Boot firmware and swtpm are usable, and say how to fix what is not.')
    .option('--json', 'print JSON')
    .option('--dismiss <id>', 'dismiss a notice shown here', parseInteger('--dismiss'))
    .action(async (o: { json?: boolean; dismiss?: number }) => {
      const [caps, db, notices] = await withClient(async (c) => {
        if (o.dismiss !== undefined) await c.call('notice.dismiss', { id: o.dismiss });
        return [await c.call('host.capabilities', { refresh: true }), await c.call('database.check', {}), await c.call('notice.list', {})] as const;
      });
      const report = doctorReport(caps);
      const osdb = await withClient((c) => c.call('os.status', {}));
      report.text += `\n${osdb.available ? 'ok  ' : 'warn'} osinfo-db:   ${osdb.available ? `${osdb.version ?? ''} (${osdb.osCount} OSes in ${osdb.dirs.join(', ')})` : osdb.installHint ?? ''}`;
      const dbReport = databaseReport(db, notices);
      print(!!o.json, { ...caps, database: db, notices, osinfo: osdb }, () => `${report.text}\n${dbReport.text}`);
      if (!report.ok || !dbReport.ok) process.exitCode = 1;
    });

  program
    .command('serve')
    .description('Serve the Hangar UI and API to browsers (token-protected; loopback unless --host).')
    .option('--port <n>', 'TCP port', parseInteger('--port'), 7878)
    .option('--host <address>', 'address to bind (default 127.0.0.1: this computer only)', '127.0.0.1')
    .option('--token-file <file>', 'read the access token from this file (mode 0600) instead of making one')
    .action(async (o: { port: number; host: string; tokenFile?: string }) => {
      const { serve } = require('../server/serve') as typeof import('../server/serve');
      (require('../server/engine-bootstrap') as typeof import('../server/engine-bootstrap')).surviveStrayRejections();
      const server = await serve({ host: o.host, port: o.port, ...(o.tokenFile ? { tokenFile: path.resolve(o.tokenFile) } : {}) });
      await new Promise<void>((resolve) => {
        const stop = () => void server.close().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });

  const vm = program.command('vm').description('Create, start, stop and inspect virtual machines.');

  vm.command('list')
    .description('List machines and their state.')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      // both calls at once: one round trip to a running engine instead of two
      const [vms, hosts] = await withClient((c) => Promise.all([c.call('vm.list', {}), c.call('host.list', {}).catch(() => [])]));
      print(!!o.json, vms, () => vmTable(vms, hosts));
    });

  vm.command('show <name>')
    .description('Show one machine (its JSON carries "state").')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { json?: boolean }) => {
      const info = await withClient((c) => c.call('vm.get', { vm: name }));
      print(!!o.json, info, () => vmDetails(info));
    });

  addCloudInitOptions(vm.command('create'))
    .description('Create a machine (with --image of a cloud image and --user: a cloud-init VM with an SSH forward).')
    .requiredOption('--name <name>', 'machine name')
    .option('--cpus <n>', 'virtual CPUs', parseInteger('--cpus'), 1)
    .option('--memory <MiB>', 'memory in MiB (or with a unit: 2G)', '512')
    .option('--disk <size>', 'new empty disk, e.g. 20G (none when omitted)')
    .option('--disk-format <format>', 'qcow2 or raw', 'qcow2')
    .option('--attach-disk <path...>', 'attach existing disk image(s) as they are')
    .option('--iso <path>', 'install media (ISO file)')
    .option('--image <name>', 'boot from a library disk image: a linked clone (qcow2 overlay) of it')
    .option('--full-copy', 'with --image: copy the whole image instead of a linked clone')
    .option('--kernel <path>', 'boot this kernel directly')
    .option('--initrd <path>', 'initrd for --kernel')
    .option('--append <cmdline>', 'kernel command line for --kernel')
    .addOption(new Option('--firmware <fw>', 'firmware').choices(['bios', 'uefi']).default('bios'))
    .addOption(new Option('--machine <type>', 'machine type').choices(['q35', 'pc']).default('q35'))
    .option('--tpm', 'an emulated TPM 2.0 (swtpm), its state kept in the VM folder')
    .option('--secure-boot', "UEFI Secure Boot with Microsoft's keys enrolled (needs --firmware uefi and q35)")
    .addOption(new Option('--display <display>', 'graphical display').choices(['vnc', 'none']).default('vnc'))
    .addOption(new Option('--video <adapter>', 'display adapter: std (VGA) or virtio (virtio-vga, follows the console size)').choices(['std', 'virtio']))
    .addOption(new Option('--os <family>', 'OS family').choices(['linux', 'windows', 'bsd', 'other']).default('linux'))
    .option('--os-id <id>', 'osinfo-db OS (win11, debian11, ubuntu22.04; see hangar os list): its defaults fill every option not given')
    .addOption(new Option('--disk-bus <bus>', 'bus of the new disk').choices(['virtio', 'sata', 'ide', 'scsi']))
    .addOption(new Option('--nic-model <model>', 'network card model').choices(['virtio-net-pci', 'e1000', 'e1000e', 'rtl8139']))
    .addOption(new Option('--rtc <base>', 'guest clock: utc, or localtime (Windows)').choices(['utc', 'localtime']))
    .option('--hyperv', 'Hyper-V enlightenments (Windows guests)')
    .option('--no-hyperv', 'no Hyper-V enlightenments')
    .option('--forward <spec>', 'NAT port forward [tcp|udp:][ADDR:]HOSTPORT:GUESTPORT (repeatable)', parseForward, [])
    .option('--no-network', 'no network card')
    .option('--internal-network <name>', 'put the network card on this internal network instead of NAT (see hangar network)')
    .option('--bridge <name>', 'bridge the network card to this host bridge instead of NAT')
    .option('--description <text>', 'free text')
    .option('--host <name>', 'create it on this LAN host (see: hangar host list); default this computer')
    .option('--start', 'start it after creating it')
    .option('--json', 'print JSON')
    .action(async (o: Record<string, unknown>, cmd: Command) => {
      if ((o.initrd || o.append) && !o.kernel) throw new UsageError('--initrd and --append need --kernel.');
      let memoryMiB: number;
      try {
        memoryMiB = parseMemory(String(o.memory));
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      let diskSizeBytes = 0;
      if (o.disk !== undefined) {
        try {
          diskSizeBytes = parseSize(String(o.disk));
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
      }
      const input: MethodInput<'vm.create'> = {
        name: String(o.name),
        cpus: o.cpus as number,
        memoryMiB,
        diskSizeBytes,
        diskFormat: o.diskFormat as 'qcow2' | 'raw',
        attachDisks: ((o.attachDisk as string[] | undefined) ?? []).map((p) => ({ path: path.resolve(p) })),
        firmware: o.firmware as 'bios' | 'uefi',
        machine: o.machine as 'q35' | 'pc',
        tpm: !!o.tpm,
        secureBoot: !!o.secureBoot,
        display: o.display as 'vnc' | 'none',
        os: { family: o.os as 'linux', variant: '' },
        nics:
          o.network === false
            ? []
            : [{ model: 'virtio-net-pci', portForwards: o.forward as PortForward[], ...(o.internalNetwork ? { mode: 'internal' as const, network: String(o.internalNetwork) } : o.bridge ? { mode: 'bridge' as const, bridge: String(o.bridge) } : {}) }],
        startAfterCreate: !!o.start,
        ...(o.host ? { hostId: await resolveHostId(String(o.host)) } : {}),
        ...(o.description ? { description: String(o.description) } : {}),
        ...(o.iso ? { isoPath: absolute(String(o.iso)) } : {}),
        ...(o.image ? { image: String(o.image), fullCopy: !!o.fullCopy } : {}),
        ...(o.kernel ? { kernel: { path: absolute(String(o.kernel))!, ...(o.initrd ? { initrd: absolute(String(o.initrd)) } : {}), append: o.append ? String(o.append) : '' } } : {}),
        ...(o.diskBus ? { diskBus: o.diskBus as 'virtio' } : {}),
        ...(o.rtc ? { rtc: o.rtc as 'utc' } : {}),
        ...(o.hyperv !== undefined ? { hyperv: !!o.hyperv } : {}),
        ...(o.video ? { video: o.video as 'std' | 'virtio' } : {}),
      };
      if (o.nicModel && input.nics) input.nics = input.nics.map((n) => ({ ...n, model: o.nicModel as 'e1000e' }));
      const info = await withClient(async (c) => {
        if (o.osId) {
          const given = (opt: string) => cmd.getOptionValueSource(opt) === 'cli';
          const hasOtherDisk = !!(o.image || o.attachDisk || o.kernel);
          for (const w of applyOsDefaults(input, await c.call('os.get', { id: String(o.osId) }), given, hasOtherDisk)) process.stderr.write(`warning: ${w}\n`);
        }
        const cloudInit = cloudInitFromOptions(o, String(o.name));
        return cloudInit ? c.call('cloudinit.createVm', { ...input, image: String(o.image), cloudInit }) : c.call('vm.create', input);
      });
      print(!!o.json, info, () => `Created "${info.name}" (${info.id})${info.state === 'running' ? ' and started it' : ''}.`);
    });

  const lifecycle = (name: 'start' | 'stop' | 'kill' | 'pause' | 'resume' | 'reset', description: string) => {
    const cmd = vm
      .command(`${name} <name>`)
      .description(description)
      .option('--wait', name === 'stop' ? 'wait until the guest has powered off' : 'wait until the change is done (the default for this command)')
      .option('--json', 'print JSON');
    if (name === 'stop') cmd.option('--timeout <seconds>', 'with --wait: give up after this long', parseInteger('--timeout'), 60);
    cmd.action(async (vmName: string, o: { json?: boolean; wait?: boolean; timeout?: number }) => {
      const info: VmInfo = await withClient((c) => {
        switch (name) {
          case 'stop':
            return c.call('vm.stop', { vm: vmName, wait: !!o.wait, timeoutSec: o.timeout ?? 60 });
          case 'start':
            return c.call('vm.start', { vm: vmName });
          case 'kill':
            return c.call('vm.kill', { vm: vmName });
          case 'pause':
            return c.call('vm.pause', { vm: vmName });
          case 'resume':
            return c.call('vm.resume', { vm: vmName });
          case 'reset':
            return c.call('vm.reset', { vm: vmName });
        }
      });
      print(!!o.json, info, () => `${info.name}: ${info.state}${info.stateReason ? ` (${info.stateReason})` : ''}`);
    });
  };
  lifecycle('start', 'Start a machine.');
  lifecycle('stop', 'Ask the guest to shut down (ACPI power button).');
  lifecycle('kill', 'Force off at once (like pulling the plug).');
  lifecycle('pause', 'Pause the CPUs.');
  lifecycle('resume', 'Resume a paused machine.');
  lifecycle('reset', 'Hard reset.');

  vm.command('console <name>')
    .description('Attach to the serial console (Ctrl-] detaches). Without a terminal: print scrollback and new output until interrupted.')
    .action(async (name: string) => {
      process.exitCode = await withClient((c) => runConsole(c, name));
    });

  vm.command('delete <name>')
    .description('Delete a stopped machine. Its disks are kept unless --delete-disks.')
    .option('--delete-disks', 'also delete the disk files Hangar created for it')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { deleteDisks?: boolean; json?: boolean }) => {
      const r = await withClient((c) => c.call('vm.delete', { vm: name, deleteDisks: !!o.deleteDisks }));
      print(!!o.json, r, () =>
        [`Deleted "${name}".`, ...r.deletedFiles.map((f) => `  removed ${f}`), ...r.keptFiles.map((f) => `  kept    ${f}`)].join('\n'),
      );
    });

  vm.command('repair <name>')
    .description("Restore a damaged machine's settings from the vm.json in its folder.")
    .option('--json', 'print JSON')
    .action(async (name: string, o: { json?: boolean }) => {
      const r = await withClient((c) => c.call('vm.repair', { vm: name }));
      print(!!o.json, r, () => `Repaired "${r.name}" from ${r.restoredFrom}.`);
    });

  const task = program.command('task').description('Long-running operations.');
  task
    .command('list')
    .description('List recent long-running operations with their progress.')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const tasks = await withClient((c) => c.call('task.list', {}));
      print(!!o.json, tasks, () =>
        tasks.length === 0 ? 'No tasks.' : table(tasks.map((t) => [t.title, t.state, t.progress === null ? '' : `${Math.round(t.progress * 100)}%`, t.error?.message ?? t.message ?? '']), ['TASK', 'STATE', 'PROGRESS', 'MESSAGE']),
      );
    });

  // Each domain registers its own commands (cli/commands/<domain>.ts).
  for (const register of domainCommands) register(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2; // commander already printed the message
    }
    if (e instanceof UsageError) {
      process.stderr.write(`hangar: ${e.message}\n`);
      return 2;
    }
    if (e instanceof HangarError || isApiErrorShape(e)) {
      process.stderr.write(`hangar: ${(e as { message: string }).message}\n`);
      if (process.env.HANGAR_DEBUG) process.stderr.write(`${JSON.stringify(e)}\n`);
      // a value the user gave was refused: that is bad usage too
      return (e as { code: string }).code === 'INVALID_INPUT' ? 2 : 1;
    }
    process.stderr.write(`hangar: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.env.HANGAR_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
