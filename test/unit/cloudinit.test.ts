import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { contract } from '../../src-main/api/contract';
import { looksLikeCloudImage } from '../../src-main/cloudinit/cloud-image';
import { checkPublicKey, seedFiles, toSpec, validateSettings, type CloudInitSettings } from '../../src-main/cloudinit/seed';
import { sha512Crypt } from '../../src-main/cloudinit/sha512-crypt';
import { shellQuote } from '../../src-main/cloudinit/shell-quote';

const ED = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO55f/E42V5PMqkC60tKWNs7puT5Di+cVn5NYA2i7ECE me@host';
const settings = (over: Partial<CloudInitSettings> = {}): CloudInitSettings => contract['cloudinit.validate'].input.parse({ user: 'alice', hostname: 'web-1', sshKeys: [ED], ...over }) as CloudInitSettings;

describe('sha512-crypt', () => {
  test('the same bytes as openssl passwd -6, for short, empty-salt-free, long and non-ASCII passwords', () => {
    for (const [pw, salt] of [['hunter2', 'abcdefgh12345678'], ['x', 'ab'], ['pässwörd with spaces and more than sixty-four bytes..................', 'saltsaltsalt']] as const) {
      const ours = sha512Crypt(pw, salt);
      const theirs = spawnSync('openssl', ['passwd', '-6', '-salt', salt, '-stdin'], { input: pw, encoding: 'utf8' }).stdout.trim();
      assert.equal(ours, theirs);
    }
    assert.match(sha512Crypt('a'), /^\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
    assert.notEqual(sha512Crypt('a'), sha512Crypt('a'), 'a random salt each time');
  });
});

describe('cloud-init settings', () => {
  test('public keys: accepted when the blob names its type; private keys and junk refused with the reason', () => {
    assert.equal(checkPublicKey(`  ${ED}\n`), ED);
    assert.throws(() => checkPublicKey('-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----'), /private key/);
    assert.throws(() => checkPublicKey('ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIO55f/E42V5PMqkC60tKWNs7puT5Di+cVn5NYA2i7ECE'), /not an OpenSSH public key/);
    assert.throws(() => checkPublicKey('hello world'), /not an OpenSSH public key/);
  });

  test('host names and user names: the schema says what is wrong', () => {
    const parse = (o: Record<string, unknown>) => contract['cloudinit.validate'].input.safeParse({ user: 'alice', hostname: 'ok', sshKeys: [ED], ...o });
    assert.match(parse({ hostname: 'has space' }).error!.issues[0]!.message, /no spaces/);
    assert.match(parse({ hostname: '-bad' }).error!.issues[0]!.message, /host name/);
    assert.equal(parse({ hostname: 'db.example.org' }).success, true);
    assert.match(parse({ user: 'root' }).error!.issues[0]!.message, /normal user/);
    assert.match(parse({ user: 'Bob' }).error!.issues[0]!.message, /lower-case/);
    assert.match(parse({ packages: ['curl; rm -rf /'] }).error!.issues[0]!.message, /Package names/);
  });

  test('user-data and network-config are YAML checked before anything is made', () => {
    assert.throws(() => validateSettings(settings({ userData: 'a: [1, 2\nb: c' })), /user-data is not valid YAML \(line \d+, column \d+\)/);
    assert.throws(() => validateSettings(settings({ userData: 'a: 1\na: 2' })), /not valid YAML/);
    assert.throws(() => validateSettings(settings({ userData: '42' })), /must be a YAML mapping/);
    assert.throws(() => validateSettings(settings({ networkConfig: 'ethernets: {}' })), /version: 1" or "version: 2/);
    assert.doesNotThrow(() => validateSettings(settings({ userData: '#cloud-config\nruncmd:\n  - [touch, /x]\n', networkConfig: 'version: 2\nethernets:\n  eth0:\n    dhcp4: true\n' })));
  });

  test('the seed: meta-data with instance-id and host name; user-data with the user, hashed password, keys, zone, packages, and the free YAML merged in', () => {
    const s = settings({ password: 'secret', timezone: 'Europe/Paris', packages: ['curl'], userData: 'packages: [jq]\nruncmd:\n  - echo hi\n', hostname: 'web-1.example.org' });
    const { keys } = validateSettings(s);
    const spec = toSpec(s, keys, 'cidata', 2222);
    assert.match(spec.passwordHash!, /^\$6\$/);
    assert.ok(!JSON.stringify(spec).includes('secret'), 'no clear password kept');
    const files = Object.fromEntries(seedFiles(spec).map((f) => [f.name, f.text]));
    assert.deepEqual(Object.keys(files), ['meta-data', 'user-data']);
    assert.deepEqual(parse(files['meta-data']!), { 'instance-id': spec.instanceId, 'local-hostname': 'web-1' });
    assert.ok(files['user-data']!.startsWith('#cloud-config\n'));
    const ud = parse(files['user-data']!) as Record<string, unknown> & { users: Array<Record<string, unknown>> };
    assert.equal(ud.hostname, 'web-1');
    assert.equal(ud.fqdn, 'web-1.example.org');
    assert.equal(ud.timezone, 'Europe/Paris');
    assert.deepEqual(ud.packages, ['curl', 'jq']);
    assert.deepEqual(ud.runcmd, ['echo hi']);
    assert.equal(ud.ssh_pwauth, true);
    assert.equal(ud.users[0]!.name, 'alice');
    assert.equal(ud.users[0]!.passwd, spec.passwordHash);
    assert.equal(ud.users[0]!.lock_passwd, false);
    assert.deepEqual(ud.users[0]!.ssh_authorized_keys, [ED]);
  });

  test('cloud images are recognised by name (osinfo-db, when it knows, wins)', () => {
    for (const n of ['debian-12-genericcloud-amd64', 'jammy-server-cloudimg-amd64', 'Fedora-Cloud-Base-39-1.5.x86_64', 'CentOS-Stream-GenericCloud-9-latest.x86_64']) assert.equal(looksLikeCloudImage({ name: n }), true, n);
    for (const n of ['debian-12.5.0-amd64-netinst', 'win11', 'cloudberry-os']) assert.equal(looksLikeCloudImage({ name: n }), false, n);
    assert.equal(looksLikeCloudImage({ name: 'plain', osinfoCloudInit: true }), true);
    assert.equal(looksLikeCloudImage({ name: 'x-genericcloud', osinfoCloudInit: false }), false);
  });

  test('the ssh command shown to copy is quoted for a POSIX shell', () => {
    assert.equal(['ssh', '-p', '2222', 'a@127.0.0.1', '--', "echo 'hi there'"].map(shellQuote).join(' '), `ssh -p 2222 a@127.0.0.1 -- 'echo '\\''hi there'\\'''`);
  });
});
