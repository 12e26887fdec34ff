import { randomUUID } from 'node:crypto';
import { isMap, parseDocument, stringify } from 'yaml';
import type { CloudInitSpec, ParsedInput } from '../api/contract';
import { HangarError } from '../api/errors';
import { sha512Crypt } from './sha512-crypt';

/**
 * The NoCloud seed's three files (meta-data, user-data, network-config), made from the user's
 * settings, and the checks that run before anything is created: user-data and network-config are
 * parsed as YAML (the `yaml` library, YAML 1.2 like cloud-init's loader for these documents), public
 * keys are checked to be OpenSSH public keys (type + base64 blob that names the same type).
 */

export type CloudInitSettings = ParsedInput<'cloudinit.validate'>;

const KEY_TYPES = new Set([
  'ssh-ed25519',
  'ssh-rsa',
  'ssh-dss',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
]);

/** A fresh instance-id: a new one makes cloud-init treat the next boot as a first boot. */
export function newInstanceId(): string {
  return `hangar-${randomUUID()}`;
}

/** Check one OpenSSH public key line; returns it trimmed, or throws saying what it is instead. */
export function checkPublicKey(text: string, what = 'The SSH key'): string {
  const line = text.trim();
  if (/PRIVATE KEY-----/.test(line)) throw new HangarError('INVALID_INPUT', `${what} is a private key: give the public key (the .pub file) instead, and keep the private key to yourself.`, { field: 'sshKeys' });
  const m = /^(\S+) ([A-Za-z0-9+/]+={0,3})(?: (.*))?$/.exec(line);
  const bad = () => new HangarError('INVALID_INPUT', `${what} is not an OpenSSH public key: it should be one line like "ssh-ed25519 AAAAC3Nz... you@host" (the contents of ~/.ssh/id_ed25519.pub).`, { field: 'sshKeys' });
  if (!m || !KEY_TYPES.has(m[1]!) || line.includes('\n')) throw bad();
  const blob = Buffer.from(m[2]!, 'base64');
  if (blob.length < 4) throw bad();
  const n = blob.readUInt32BE(0);
  if (n > blob.length - 4 || blob.subarray(4, 4 + n).toString('latin1') !== m[1]) throw bad();
  return line;
}

/** Parse YAML the user typed; a clear error with line and column when it is not valid. */
function parseUserYaml(text: string, field: 'userData' | 'networkConfig', label: string): Record<string, unknown> | null {
  const body = text.trim();
  if (!body) return null;
  const doc = parseDocument(body, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const where = e.linePos ? ` (line ${e.linePos[0].line}, column ${e.linePos[0].col})` : '';
    throw new HangarError('INVALID_INPUT', `${label} is not valid YAML${where}: ${e.message.split('\n')[0]}`, { field });
  }
  if (!isMap(doc.contents)) throw new HangarError('INVALID_INPUT', `${label} must be a YAML mapping (keys such as "packages:" or "runcmd:"), not a list or a single value.`, { field });
  return doc.toJS() as Record<string, unknown>;
}

/** Every check of the settings; throws the first problem. Returns the parsed user YAML. */
export function validateSettings(s: CloudInitSettings): { userData: Record<string, unknown> | null; network: Record<string, unknown> | null; keys: string[] } {
  const keys = s.sshKeys.filter((k) => k.trim() !== '').map((k, i) => checkPublicKey(k, s.sshKeys.length > 1 ? `SSH key ${i + 1}` : 'The SSH key'));
  if (keys.length === 0 && !s.password) throw new HangarError('INVALID_INPUT', 'Give at least one SSH public key or a password, or nobody can log in.', { field: 'sshKeys' });
  const userData = parseUserYaml(s.userData, 'userData', 'The user-data');
  if (userData && 'users' in userData && !Array.isArray(userData.users)) throw new HangarError('INVALID_INPUT', 'In the user-data, "users" must be a list.', { field: 'userData' });
  const network = parseUserYaml(s.networkConfig, 'networkConfig', 'The network-config');
  if (network) {
    const inner = (network.network as Record<string, unknown> | undefined) ?? network;
    if (inner.version !== 1 && inner.version !== 2) throw new HangarError('INVALID_INPUT', 'The network-config needs "version: 1" or "version: 2" (cloud-init network config formats).', { field: 'networkConfig' });
  }
  return { userData, network, keys };
}

/** The settings as kept in the VM spec: the password only as its SHA-512 crypt hash. */
export function toSpec(s: CloudInitSettings, keys: string[], seedDiskId: string, sshPort: number | null): CloudInitSpec {
  return {
    instanceId: newInstanceId(),
    user: s.user,
    hostname: s.hostname,
    sshKeys: keys,
    passwordHash: s.password ? sha512Crypt(s.password) : null,
    timezone: s.timezone ?? null,
    packages: s.packages,
    userData: s.userData,
    networkConfig: s.networkConfig,
    seedDiskId,
    sshPort,
  };
}

/** The three files of the seed. */
export function seedFiles(c: CloudInitSpec): Array<{ name: string; text: string }> {
  const user: Record<string, unknown> = {
    name: c.user,
    shell: '/bin/bash',
    groups: ['sudo'],
    sudo: 'ALL=(ALL) NOPASSWD:ALL',
    lock_passwd: c.passwordHash === null,
    ...(c.passwordHash !== null && { passwd: c.passwordHash }),
    ...(c.sshKeys.length > 0 && { ssh_authorized_keys: c.sshKeys }),
  };
  const shortName = c.hostname.split('.')[0]!;
  const config: Record<string, unknown> = {
    hostname: shortName,
    ...(c.hostname.includes('.') && { fqdn: c.hostname }),
    preserve_hostname: false,
    manage_etc_hosts: true,
    users: [user],
    ssh_pwauth: c.passwordHash !== null,
    ...(c.timezone && { timezone: c.timezone }),
    ...(c.packages.length > 0 && { package_update: true, packages: c.packages }),
  };
  const extra = c.userData.trim() ? (parseDocument(c.userData).toJS() as Record<string, unknown> | null) : null;
  if (extra) {
    // the user's keys win; lists of users and packages are added to ours
    for (const [k, v] of Object.entries(extra)) {
      if ((k === 'users' || k === 'packages') && Array.isArray(v) && Array.isArray(config[k])) config[k] = [...(config[k] as unknown[]), ...v];
      else config[k] = v;
    }
  }
  const files = [
    { name: 'meta-data', text: stringify({ 'instance-id': c.instanceId, 'local-hostname': shortName }) },
    { name: 'user-data', text: `#cloud-config\n# written by Hangar\n${stringify(config, { lineWidth: 0 })}` },
  ];
  if (c.networkConfig.trim()) files.push({ name: 'network-config', text: c.networkConfig.trim() + '\n' });
  return files;
}
