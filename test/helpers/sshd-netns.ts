import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HostCapabilities, HostSummary } from '../../src-main/api/contract';
import type { Engine } from '../../src-main/engine/engine';

/**
 * A real OpenSSH server as a "LAN host", isolated in a network namespace this helper creates:
 * a veth pair with 10.213.X.1/30 on our side and 10.213.X.2/30 inside; sshd listens only on .2.
 * No other address is assigned or contacted.
 *
 * The remote user is root (sshd needs no extra account, nothing to clean from /etc/passwd), but
 * each client key gets its own $HOME through an authorized_keys `environment=` option
 * (PermitUserEnvironment yes): the "remote" Hangar therefore resolves its HANGAR_HOME exactly as on
 * a real host (from $HOME over SSH), and it differs from the test's local HANGAR_HOME even though
 * the namespace shares our filesystem. The `noQemu` key also gets a PATH without any qemu-* program.
 */
export interface SshdNetns {
  ns: string;
  address: string;
  port: number;
  dir: string;
  /** "SHA256:..." of the server's host key, as OpenSSH prints it. */
  hostKeyFingerprint: string;
  /** Private keys; `encrypted` is protected by KEY_PASSPHRASE. */
  keys: { good: string; noQemu: string; stranger: string; encrypted: string };
  /** $HOME the remote side sees for each key. */
  homes: { good: string; noQemu: string };
  /** Cut / restore the namespace's link (a network drop, not a clean close). */
  linkDown(): void;
  linkUp(): void;
  /** Replace the host key (a reinstalled host or a man in the middle) and restart sshd. */
  changeHostKey(): Promise<void>;
  stop(): void;
}

/** Why the netns tests cannot run here, or null when they can. */
export function netnsUnsupportedReason(): string | null {
  if (process.getuid?.() !== 0) return 'not running as root (network namespaces and sshd need root)';
  if (!fs.existsSync('/usr/sbin/sshd')) return '/usr/sbin/sshd is missing (apt-get install openssh-server)';
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'pipe' });
  } catch {
    return 'no `ip netns` support (apt-get install iproute2)';
  }
  return null;
}

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString('utf8');
const tryRun = (cmd: string, args: string[]) => {
  try {
    run(cmd, args);
  } catch {
    /* best effort during cleanup */
  }
};

function freeSubnet(): number {
  const used = run('ip', ['-4', 'addr', 'show']);
  for (let tries = 0; tries < 200; tries++) {
    const x = 1 + Math.floor(Math.random() * 250);
    if (!used.includes(`10.213.${x}.`) && !fs.existsSync(`/run/netns/hangar-test-${x}`)) return x;
  }
  throw new Error('No free 10.213.X.0/30 subnet for the test namespace.');
}

export const KEY_PASSPHRASE = 'correct horse battery staple';

function keygen(file: string, passphrase = ''): string {
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', path.basename(file), '-f', file]);
  return fs.readFileSync(`${file}.pub`, 'utf8').trim();
}

function fingerprint(pubFile: string): string {
  return run('ssh-keygen', ['-l', '-E', 'sha256', '-f', pubFile]).split(' ')[1]!;
}

async function waitForBanner(address: string, port: number, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: address, port }, () => undefined);
      s.once('data', (d) => {
        s.destroy();
        resolve(d.toString().startsWith('SSH-'));
      });
      s.once('error', () => resolve(false));
      s.setTimeout(1000, () => {
        s.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`sshd did not answer on ${address}:${port}`);
}

export interface SshdNetnsOptions {
  /**
   * Run sshd (so every remote session and QEMU) without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH:
   * the remote root then obeys file permissions like an ordinary user, so "permission denied" on
   * the far host can be tested without creating an account.
   */
  obeyFilePermissions?: boolean;
}

export async function startSshdNetns(opts: SshdNetnsOptions = {}): Promise<SshdNetns> {
  // test files run in parallel: if another one took the same subnet a moment ago, pick again
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(freeSubnet(), opts);
    } catch (e) {
      if (attempt >= 4 || !/File exists|already exists/i.test(String((e as { stderr?: unknown }).stderr ?? (e as Error).message))) throw e;
    }
  }
}

async function startOnce(x: number, opts: SshdNetnsOptions): Promise<SshdNetns> {
  const ns = `hangar-test-${x}`;
  const vethHost = `hgh${x}`;
  const vethNs = `hgn${x}`;
  const address = `10.213.${x}.2`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hangar-sshd-'));
  let sshd: ChildProcess | null = null;

  const stopSshd = () => {
    if (sshd && sshd.exitCode === null) sshd.kill('SIGKILL');
    sshd = null;
  };
  // Clean only what this call created: a name clash must never tear down another test's namespace.
  let ownNs = false;
  let ownLink = false;
  const stop = () => {
    stopSshd();
    // Everything started through sshd (sessions, detached QEMUs) lives in the namespace: end it all.
    try {
      if (ownNs) for (const pid of run('ip', ['netns', 'pids', ns]).split(/\s+/).filter(Boolean)) tryRun('kill', ['-9', pid]);
    } catch {
      /* namespace already gone */
    }
    if (ownLink) tryRun('ip', ['link', 'del', vethHost]);
    if (ownNs) tryRun('ip', ['netns', 'del', ns]);
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    run('ip', ['netns', 'add', ns]);
    ownNs = true;
    run('ip', ['link', 'add', vethHost, 'type', 'veth', 'peer', 'name', vethNs]);
    ownLink = true;
    run('ip', ['link', 'set', vethNs, 'netns', ns]);
    run('ip', ['addr', 'add', `10.213.${x}.1/30`, 'dev', vethHost]);
    run('ip', ['link', 'set', vethHost, 'up']);
    run('ip', ['netns', 'exec', ns, 'ip', 'addr', 'add', `${address}/30`, 'dev', vethNs]);
    run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', vethNs, 'up']);
    run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);

    const homes = { good: path.join(dir, 'home-good'), noQemu: path.join(dir, 'home-noqemu') };
    for (const h of Object.values(homes)) fs.mkdirSync(h, { recursive: true });
    // A PATH with every program of /usr/bin and /usr/sbin except QEMU's.
    const bin = path.join(dir, 'bin-without-qemu');
    fs.mkdirSync(bin);
    for (const d of ['/usr/sbin', '/usr/bin']) {
      for (const name of fs.readdirSync(d)) {
        if (!name.startsWith('qemu') && !fs.existsSync(path.join(bin, name))) fs.symlinkSync(path.join(d, name), path.join(bin, name));
      }
    }

    const hostKey = path.join(dir, 'ssh_host_ed25519_key');
    keygen(hostKey);
    const keys = { good: path.join(dir, 'id_good'), noQemu: path.join(dir, 'id_noqemu'), stranger: path.join(dir, 'id_stranger'), encrypted: path.join(dir, 'id_encrypted') };
    const pubGood = keygen(keys.good);
    const pubNoQemu = keygen(keys.noQemu);
    keygen(keys.stranger);
    const pubEncrypted = keygen(keys.encrypted, KEY_PASSPHRASE);
    fs.writeFileSync(
      path.join(dir, 'authorized_keys'),
      [`environment="HOME=${homes.good}" ${pubGood}`, `environment="HOME=${homes.noQemu}",environment="PATH=${bin}" ${pubNoQemu}`, `environment="HOME=${homes.good}" ${pubEncrypted}`, ''].join('\n'),
      { mode: 0o600 },
    );
    const config = path.join(dir, 'sshd_config');
    fs.writeFileSync(
      config,
      [
        `ListenAddress ${address}:22`,
        `PidFile ${path.join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
        'StrictModes no',
        'PermitRootLogin prohibit-password',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'PermitUserEnvironment yes',
        'AllowStreamLocalForwarding yes',
        'Subsystem sftp internal-sftp',
        'MaxSessions 100',
        'MaxStartups 100',
        'LogLevel ERROR',
        '',
      ].join('\n'),
    );
    fs.mkdirSync('/run/sshd', { recursive: true }); // sshd's privilege-separation folder

    const startSshd = async () => {
      const sshdArgv = ['/usr/sbin/sshd', '-D', '-e', '-f', config, '-h', hostKey];
      const dropCaps = ['/usr/sbin/capsh', '--drop=cap_dac_override,cap_dac_read_search', '--', '-c', 'exec "$@"', 'sshd'];
      sshd = spawn('ip', ['netns', 'exec', ns, ...(opts.obeyFilePermissions ? dropCaps : []), ...sshdArgv], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      sshd.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      await waitForBanner(address, 22).catch((e: Error) => {
        throw new Error(`${e.message}: ${stderr.trim()}`);
      });
    };
    await startSshd();

    return {
      ns,
      address,
      port: 22,
      dir,
      get hostKeyFingerprint() {
        return fingerprint(`${hostKey}.pub`);
      },
      keys,
      homes,
      linkDown: () => run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'dev', vethNs, 'down']),
      linkUp: () => run('ip', ['netns', 'exec', ns, 'ip', 'link', 'set', 'dev', vethNs, 'up']),
      async changeHostKey() {
        stopSshd();
        // End the live sessions too (not QEMU): clients must reconnect and meet the new key.
        for (const pid of run('ip', ['netns', 'pids', ns]).split(/\s+/).filter(Boolean)) {
          const comm = fs.existsSync(`/proc/${pid}/comm`) ? fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() : '';
          if (comm === 'sshd') tryRun('kill', ['-9', pid]);
        }
        await new Promise((r) => setTimeout(r, 200));
        fs.rmSync(hostKey);
        fs.rmSync(`${hostKey}.pub`);
        keygen(hostKey);
        await startSshd();
      },
      stop,
    };
  } catch (e) {
    stop();
    throw e;
  }
}

/**
 * Add the namespace's sshd as a LAN host the way a user does: the first call shows the host key's
 * fingerprint, the second accepts (pins) it. Logs in as root with the namespace's good key.
 */
export async function addLanHost(engine: Engine, name: string, sshd: SshdNetns): Promise<{ host: HostSummary; capabilities: HostCapabilities }> {
  const target = { name, address: sshd.address, port: sshd.port, user: 'root', keyPath: sshd.keys.good };
  const first = await engine.call('host.add', target);
  assert.ok(first.needsConfirmation, 'a new host key is shown for confirmation first');
  const added = await engine.call('host.add', { ...target, acceptFingerprint: first.fingerprint });
  assert.ok(!added.needsConfirmation, 'the accepted key is pinned');
  return added;
}
