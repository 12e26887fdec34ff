import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { loadOsIndex } from '../../src-main/os/osinfo-db';

// Guest-integration facts drawn from the real osinfo-db of this machine (Debian's osinfo-db
// package): the display adapter of new VMs. Debian 12's osinfo-db (0.20221130) knows Debian 11,
// Fedora 37 and openSUSE 15.4 as the newest of their lines.

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
