import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { agentInstallHint, installScripts } from '../../src-main/guest/install-hints';
import { loadOsIndex } from '../../src-main/os/osinfo-db';

// Guest-integration facts drawn from the real osinfo-db of this machine (Debian's osinfo-db
// package): the display adapter of new VMs and the guest agent's install hint. Debian 12's
// osinfo-db (0.20221130) knows Debian 11, Fedora 37 and openSUSE 15.4 as the newest of their lines.

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hangar-guest-osinfo-'));
after(() => fs.rmSync(home, { recursive: true, force: true }));
const index = loadOsIndex(home);
const entry = (id: string) => {
  const e = index.entries.find((x) => x.shortIds.includes(id));
  assert.ok(e, `osinfo-db knows ${id}`);
  return e;
};

test('new VMs: virtio-vga for Linux guests osinfo-db gives virtio-gpu or virtio 1.0 devices; std VGA for Windows, BSD and old Linux', () => {
  for (const id of ['debian11', 'fedora37', 'opensuse15.4', 'ubuntu22.04', 'archlinux']) assert.equal(entry(id).defaults.video, 'virtio', id);
  for (const id of ['win11', 'win10', 'freebsd13.1', 'rhel6.10']) assert.equal(entry(id).defaults.video, 'std', id);
});

test('agent install hint from osinfo-db: the OS install scripts give the package manager and the package; generic only where osinfo-db knows nothing', () => {
  const scripts = installScripts();
  assert.equal(scripts.get('http://debian.org/debian/preseed/desktop')?.agentPackage, 'qemu-guest-agent', "Debian's preseed installs the agent");
  assert.equal(scripts.get('http://fedoraproject.org/fedora/kickstart/desktop')?.agentPackage, 'qemu-guest-agent');
  assert.equal(scripts.get('http://opensuse.org/opensuse/autoyast/desktop')?.format, 'autoyast');
  const lookup = (id: string) => index.entries.find((e) => e.uri === id || e.shortIds.includes(id)) ?? null;
  const hint = (id: string, family: 'linux' | 'windows' | 'bsd' | 'other' = 'linux') => agentInstallHint({ family, variant: '', id }, lookup);
  assert.deepEqual(entry('debian11').installScripts, ['http://debian.org/debian/preseed/jeos', 'http://debian.org/debian/preseed/desktop']);
  assert.equal(hint('debian11'), 'sudo apt-get install qemu-guest-agent && sudo systemctl enable --now qemu-guest-agent');
  assert.equal(hint('ubuntu22.04'), 'sudo apt-get install qemu-guest-agent && sudo systemctl enable --now qemu-guest-agent');
  assert.ok((entry('fedora37').installScripts ?? []).length > 0, 'fedora37 inherits its kickstarts');
  assert.equal(hint('fedora37'), 'sudo dnf install qemu-guest-agent && sudo systemctl enable --now qemu-guest-agent');
  assert.equal(hint('fedora20'), 'sudo yum install qemu-guest-agent && sudo systemctl enable --now qemu-guest-agent', 'before dnf');
  assert.equal(hint('rhel7.9'), 'sudo yum install qemu-guest-agent && sudo systemctl enable --now qemu-guest-agent');
  assert.equal(hint('opensuse15.4'), 'sudo zypper install qemu-guest-agent && sudo systemctl enable --now qemu-guest-agent');
  assert.match(hint('win11', 'windows'), /virtio-win/);
  // the variant works as a short id when the VM has no os.id; unknown to osinfo-db: the family's sentence
  assert.match(agentInstallHint({ family: 'linux', variant: 'debian11' }, lookup), /^sudo apt-get install qemu-guest-agent/);
  assert.match(agentInstallHint({ family: 'linux', variant: 'no-such-os' }, lookup), /with the guest's package manager/);
  assert.match(agentInstallHint({ family: 'bsd', variant: '', id: 'no-such-bsd' }, lookup), /pkg install qemu-guest-agent/);
});
