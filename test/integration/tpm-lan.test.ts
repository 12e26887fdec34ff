import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { VmInfo } from '../../src-main/api/contract';
import { Engine } from '../../src-main/engine/engine';
import { killAllAndClose, tempHome, waitFor } from '../helpers/env';
import { GUEST_APPEND, guestFiles } from '../helpers/guest';
import { guestValue, waitGuestPrompt } from '../helpers/guest-shell';
import { netnsUnsupportedReason, addLanHost, startSshdNetns, type SshdNetns } from '../helpers/sshd-netns';

// TPM 2.0 on a LAN host: swtpm_setup and swtpm run there through the Host seam (SshHost: exec,
// detached spawn under setsid, pid checks over SFTP), a real sshd in a network namespace.

const skipReason = netnsUnsupportedReason();
if (skipReason) console.log(`# SKIP TPM on LAN hosts: ${skipReason}`);

const { home, cleanup } = tempHome('hangar-tpm-lan-');
let engine: Engine;
let sshd: SshdNetns;

describe('TPM 2.0 on a LAN host (sshd in a network namespace)', { skip: skipReason ?? false }, () => {
  before(async () => {
    sshd = await startSshdNetns();
    engine = await Engine.open({ home, watch: true });
  });

  after(async () => {
    try {
      if (engine) await killAllAndClose(engine);
    } finally {
      sshd?.stop();
      cleanup();
    }
  });

  test('the probe finds swtpm there; a TPM guest boots there and reads TPM 2.0; force-off leaves no swtpm', { timeout: 600000 }, async () => {
    const added = await addLanHost(engine, 'lan-tpm', sshd);
    assert.ok(added.capabilities.swtpm, 'swtpm probed over SSH');
    const g = guestFiles();
    const vm = await engine.call('vm.create', { name: 'lan-tpm-guest', hostId: added.host.id, tpm: true, memoryMiB: 192, display: 'none', nics: [], kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND } });
    assert.ok(vm.dir.startsWith(sshd.homes.good), `VM folder ${vm.dir} is in the remote HANGAR_HOME`);
    await engine.call('vm.start', { vm: 'lan-tpm-guest' });
    assert.ok(fs.existsSync(`${vm.dir}/tpm/tpm2-00.permall`), 'swtpm_setup ran on the LAN host, in the VM folder there');
    const swtpmPid = Number(fs.readFileSync(`${vm.dir}/swtpm.pid`, 'utf8').trim());
    assert.ok(fs.readFileSync(`/proc/${swtpmPid}/cmdline`, 'utf8').includes(`dir=${vm.dir}/tpm`));
    await waitGuestPrompt(engine, 'lan-tpm-guest', 180000);
    assert.equal(await guestValue(engine, 'lan-tpm-guest', 'echo TPMV=$(cat /sys/class/tpm/tpm0/tpm_version_major)', 'TPMV', '\\d+'), '2');
    const killed: VmInfo = await engine.call('vm.kill', { vm: 'lan-tpm-guest' });
    assert.equal(killed.state, 'stopped');
    await waitFor('swtpm on the LAN host to end', () => !fs.existsSync(`/proc/${swtpmPid}`), 15000, 100);

    // The offline move carries the TPM state (tpm/ sub-folder), byte for byte.
    const state = fs.readFileSync(`${vm.dir}/tpm/tpm2-00.permall`);
    const task = await engine.call('host.moveVm', { vm: 'lan-tpm-guest', toHostId: 'local' });
    const done = await waitFor('the move', async () => (await engine.call('task.list', {})).find((t) => t.id === task.id && t.state !== 'running'), 120000, 100);
    assert.equal(done.state, 'succeeded', JSON.stringify(done));
    const moved = await engine.call('vm.get', { vm: 'lan-tpm-guest' });
    assert.equal(moved.hostId, 'local');
    assert.deepEqual(fs.readFileSync(`${moved.dir}/tpm/tpm2-00.permall`), state, 'the TPM state moved with the VM');
  });
});
