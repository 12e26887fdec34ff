import type { Command } from 'commander';
import * as path from 'node:path';
import type { SharesInfo } from '../../api/contract';
import { UsageError, print, withClient } from '../common';
import { guestLines, table } from '../output';

/** `hangar vm ip|agent|exec|share|unshare|shares`: guest integration (src-main/guest/). */
export function registerGuestCommands(program: Command): void {
  const vm = program.commands.find((c) => c.name() === 'vm');
  if (!vm) throw new Error('the "vm" command must be registered first');

  vm.command('ip <name>')
    .description("The guest's IP addresses, as its guest agent reports them (one per line).")
    .option('--json', 'print JSON')
    .action(async (name: string, o: { json?: boolean }) => {
      const g = await withClient((c) => c.call('guest.info', { vm: name }));
      if (o.json) return print(true, { ips: g.ips, interfaces: g.interfaces, agent: g.agent }, () => '');
      if (g.agent !== 'connected') {
        process.exitCode = 1;
        process.stderr.write(`hangar: no answer from the guest agent of "${name}" (${guestLines(g)[0]!.replace(/^Agent:\s+/, '')}).${g.installHint ? `\n${g.installHint}` : ''}\n`);
        return;
      }
      print(false, g, () => (g.ips.length ? g.ips.join('\n') : 'The guest has no address yet.'));
    });

  vm.command('agent <name>')
    .description('Guest agent state: connected or not, hostname, OS, addresses; how to install it.')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { json?: boolean }) => {
      const g = await withClient((c) => c.call('guest.info', { vm: name }));
      print(!!o.json, g, () => guestLines(g).join('\n'));
    });

  vm.command('exec <name> <command...>')
    .usage('<name> -- <command> [args...]')
    .description("Run a program in the guest through its agent; prints its output and exits with its exit code.")
    .option('--timeout <seconds>', 'give up waiting after this long', (v) => Number(v), 60)
    .option('--json', 'print JSON ({exitCode, signal, stdout, stderr})')
    .action(async (name: string, command: string[], o: { json?: boolean; timeout: number }) => {
      if (!Number.isInteger(o.timeout) || o.timeout < 1) throw new UsageError('--timeout must be a whole number of seconds.');
      const r = await withClient((c) => c.call('guest.exec', { vm: name, command, timeoutSec: o.timeout }));
      if (o.json) print(true, r, () => '');
      else {
        process.stdout.write(r.stdout);
        process.stderr.write(r.stderr);
      }
      process.exitCode = r.exitCode ?? (r.signal !== null ? 128 + r.signal : 1);
    });

  vm.command('share <name> <dir>')
    .description("Share a folder of the VM's host with the guest (virtiofs where the host can run virtiofsd, else virtio-9p; VM stopped). Prints the mount command for the guest.")
    .requiredOption('--tag <tag>', 'the mount tag the guest uses')
    .option('--readonly', 'the guest may only read')
    .option('--transport <auto|9p>', 'auto: virtiofs where it can run, else 9p; 9p: always virtio-9p', 'auto')
    .option('--json', 'print JSON')
    .action(async (name: string, dir: string, o: { tag: string; readonly?: boolean; transport: string; json?: boolean }) => {
      const r = await withClient((c) => c.call('guest.share', { vm: name, path: path.resolve(dir), tag: o.tag, readOnly: !!o.readonly, transport: o.transport as 'auto' | '9p' }));
      const s = r.shares.find((x) => x.tag === o.tag)!;
      print(!!o.json, r, () => `Sharing ${s.path} with "${name}" as "${s.tag}" over ${s.transport}${s.readOnly ? ' (read-only)' : ''}. In the guest (as root):\n  ${s.mountCommand}`);
    });

  vm.command('unshare <name>')
    .description('Stop sharing a folder (VM stopped).')
    .requiredOption('--tag <tag>', 'the mount tag of the share')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { tag: string; json?: boolean }) => {
      const r = await withClient((c) => c.call('guest.unshare', { vm: name, tag: o.tag }));
      print(!!o.json, r, () => `"${name}" no longer shares "${o.tag}".`);
    });

  vm.command('shares <name>')
    .description('List shared folders with the command to mount each in the guest.')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { json?: boolean }) => {
      const r = await withClient((c) => c.call('guest.shares', { vm: name }));
      print(!!o.json, r, () => sharesText(r));
    });
}

function sharesText(r: SharesInfo): string {
  if (r.shares.length === 0) return `No shared folders. ${r.transportNote}`;
  return [table(r.shares.map((s) => [s.tag, s.path, s.readOnly ? 'read-only' : 'read-write', s.transport, s.mountCommand]), ['TAG', 'FOLDER', 'ACCESS', 'TRANSPORT', 'MOUNT IN THE GUEST']), '', r.transportNote].join('\n');
}
