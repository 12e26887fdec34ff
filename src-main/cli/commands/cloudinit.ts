import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import type { CloudInitInput } from '../../api/contract';
import { UsageError, print, withClient } from '../common';

/**
 * Cloud-init on the command line: the options of `hangar vm create` that make a VM from a cloud
 * image (read here from local files: keys, password, user-data), `hangar vm ssh NAME [-- CMD]`
 * (spawns ssh with an argv array, its terminal inherited) and `hangar vm cloud-init-rerun NAME`.
 */

export const CLOUD_OPTIONS = ['user', 'sshKey', 'hostname', 'passwordFile', 'userData', 'networkConfig', 'packages', 'timezone'] as const;

/** Add the cloud-init options to `vm create`. */
export function addCloudInitOptions(cmd: Command): Command {
  return cmd
    .option('--user <name>', 'with --image of a cloud image: the user cloud-init creates (sudo; no password unless --password-file); --disk is then the size the clone grows to')
    .option('--ssh-key <file...>', 'with --user: OpenSSH public key file(s) to authorise (e.g. ~/.ssh/id_ed25519.pub)')
    .option('--hostname <name>', 'with --user: the guest host name (default: the VM name)')
    .option('--password-file <file>', 'with --user: read the user password from this file (stored only as a SHA-512 crypt hash)')
    .option('--user-data <file>', 'with --user: extra cloud-config YAML merged into what Hangar writes (validated first)')
    .option('--network-config <file>', 'with --user: cloud-init network-config (version 1 or 2 YAML); default DHCP')
    .option('--packages <a,b>', 'with --user: Debian/Ubuntu packages to install at first boot')
    .option('--timezone <zone>', 'with --user: IANA time zone, e.g. Europe/Paris');
}

const readText = (file: string, what: string): string => {
  try {
    return readFileSync(path.resolve(file), 'utf8');
  } catch (e) {
    throw new UsageError(`${what}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
};

/** The cloudInit part of the input, or null when no cloud-init option was given. */
export function cloudInitFromOptions(o: Record<string, unknown>, vmName: string): CloudInitInput | null {
  if (!CLOUD_OPTIONS.some((k) => o[k] !== undefined)) return null;
  if (!o.user) throw new UsageError('Cloud-init options need --user (the user to create in the guest).');
  if (!o.image) throw new UsageError('Cloud-init options need --image (a cloud image of the library).');
  const password = o.passwordFile ? readText(String(o.passwordFile), '--password-file').replace(/\r?\n$/, '') : undefined;
  return {
    user: String(o.user),
    hostname: o.hostname !== undefined ? String(o.hostname) : vmName.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'cloud',
    sshKeys: ((o.sshKey as string[] | undefined) ?? []).map((f) => readText(f, '--ssh-key')),
    ...(password ? { password } : {}),
    ...(o.timezone ? { timezone: String(o.timezone) } : {}),
    packages: o.packages ? String(o.packages).split(',').map((p) => p.trim()).filter(Boolean) : [],
    userData: o.userData ? readText(String(o.userData), '--user-data') : '',
    networkConfig: o.networkConfig ? readText(String(o.networkConfig), '--network-config') : '',
  };
}

export function registerCloudInitCommands(program: Command): void {
  const vm = program.commands.find((c) => c.name() === 'vm');
  if (!vm) return;

  vm.command('ssh <name> [command...]')
    .description('Log into a VM made from a cloud image through its SSH forward (hangar vm ssh NAME -- CMD runs CMD).')
    .option('-i, --identity <file>', 'private key to log in with (default: your ssh agent and ~/.ssh keys)')
    .option('--print', 'only print the ssh command')
    .action(async (name: string, command: string[], o: { identity?: string; print?: boolean }) => {
      const r = await withClient((c) => c.call('cloudinit.sshCommand', { vm: name, command, ...(o.identity ? { identityFile: path.resolve(o.identity) } : {}) }));
      if (o.print) {
        console.log(r.command);
        return;
      }
      const [cmd, ...args] = r.argv;
      const child = spawn(cmd!, args, { stdio: 'inherit' });
      const code = await new Promise<number>((resolve) => {
        child.on('error', (e) => {
          console.error(`hangar: cannot run ssh: ${e.message}`);
          resolve(127);
        });
        child.on('exit', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
      });
      process.exitCode = code;
    });

  vm.command('cloud-init-rerun <name>')
    .description('Give a stopped cloud VM a new instance-id, so cloud-init runs again at its next start.')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { json?: boolean }) => {
      const info = await withClient((c) => c.call('cloudinit.rerun', { vm: name }));
      print(!!o.json, info, () => `"${info.name}" gets instance-id ${info.spec.cloudInit?.instanceId ?? '?'}: cloud-init runs again at its next start.`);
    });
}
