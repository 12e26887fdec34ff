import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { UsageReport } from '../../src-main/api/contract';
import { Engine } from '../../src-main/engine/engine';
import { GUEST_APPEND, guestFiles } from '../helpers/guest';
import { tempHome, waitFor } from '../helpers/env';

// Metering from the recorded lifecycle (vm_events + the keeper's exit record), across engine
// restarts and while no engine runs, and an invoice checked against totals computed by hand.
// Real QEMU (TCG), the real test guest, a real SQLite file.

const { home, cleanup } = tempHome('hangar-billing-');
const g = guestFiles();
let engine: Engine;
const testStart = new Date();

const guest = (name: string, cpus: number, memoryMiB: number) => ({
  name,
  cpus,
  memoryMiB,
  display: 'none' as const,
  // the default NIC: user-mode NAT, whose traffic QEMU cannot count ("not measured")
  kernel: { path: g.kernel, initrd: g.initrd, append: GUEST_APPEND },
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const onMs = (r: UsageReport, vm: string) => Math.round(r.rows.find((x) => x.vmName === vm)!.poweredOnSec * 1000);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

before(async () => {
  engine = await Engine.open({ home, watch: true });
  await engine.call('vm.create', guest('meter-a', 1, 128));
  await engine.call('vm.create', guest('meter-b', 2, 256));
});

after(async () => {
  for (const vm of await engine.call('vm.list', {}).catch(() => [])) {
    if (vm.state !== 'stopped' && vm.state !== 'crashed') await engine.call('vm.kill', { vm: vm.id }).catch(() => undefined);
  }
  await engine.close();
  cleanup();
});

describe('metering and billing against real QEMU', () => {
  test('powered-on time is right within 1 s across an engine restart in the middle', async (t) => {
    const tStart = Date.now();
    await engine.call('vm.start', { vm: 'meter-a' });
    await engine.close(); // the guest keeps running with no engine
    await sleep(3000);
    engine = await Engine.open({ home, watch: true });
    await sleep(1000);
    const tStop = Date.now();
    await engine.call('vm.kill', { vm: 'meter-a' });
    const truth = tStop - tStart;
    const metered = onMs(await engine.call('usage.report', { from: testStart.toISOString() }), 'meter-a');
    t.diagnostic(`wall clock ${truth} ms, ledger ${metered} ms`);
    // the keeper records the exit time in whole seconds: the ledger may end up to 1 s early
    assert.ok(Math.abs(metered - truth) < 1000, `ledger ${metered} ms vs wall clock ${truth} ms`);
  });

  test('a guest that ends while no engine runs is metered to its exit time, not to when an engine looks', async (t) => {
    const tStart = Date.now();
    const vm = await engine.call('vm.start', { vm: 'meter-b' });
    await engine.close();
    await sleep(2000);
    const tEnd = Date.now();
    process.kill(vm.pid!, 'SIGTERM');
    await waitFor('QEMU to exit', () => !alive(vm.pid!), 20000);
    await sleep(3000); // nobody is watching for these 3 s
    engine = await Engine.open({ home, watch: true });
    const metered = onMs(await engine.call('usage.report', { from: testStart.toISOString() }), 'meter-b');
    t.diagnostic(`wall clock ${tEnd - tStart} ms, ledger ${metered} ms`);
    assert.ok(Math.abs(metered - (tEnd - tStart)) < 1000, `ledger ${metered} ms vs ${tEnd - tStart} ms`);
    assert.notEqual((await engine.call('vm.get', { vm: 'meter-b' })).state, 'running');
  });

  test('an invoice for two VMs on two plans has the totals computed by hand', async () => {
    await engine.call('plan.create', { name: 'hourly', currency: 'EUR', rates: { perHourOn: '36', perGbTransferred: '0.09' } });
    await engine.call('plan.create', { name: 'sized', currency: 'EUR', rates: { perVcpuHour: '1.8', perGibRamHour: '7.2' } });
    await engine.call('customer.create', { name: 'ACME', timezone: 'Europe/Paris', plan: 'hourly' });
    await engine.call('billing.assign', { vm: 'meter-a', customer: 'ACME' }); // the customer's plan
    const b = await engine.call('billing.assign', { vm: 'meter-b', customer: 'ACME', plan: 'sized' }); // its own plan overrides
    assert.equal(b.effectivePlanName, 'sized');

    const period = { from: testStart.toISOString(), to: new Date().toISOString() };
    const usage = await engine.call('usage.report', { ...period, customer: 'ACME' });
    const a = onMs(usage, 'meter-a');
    const bMs = onMs(usage, 'meter-b');
    assert.ok(a > 3000 && bMs > 1000);

    // By hand, in cents, rounding each line half-up:
    //  meter-a, 36 EUR/h = 1 cent per second on                      → round(ms / 1000)
    //  meter-b, 2 vCPU × 1.8 EUR/vCPU-h = 0.1 cent/s                  → round(ms / 10 000)
    //           0.25 GiB × 7.2 EUR/GiB-h = 0.05 cent/s                → round(ms / 20 000)
    //  traffic is not measured for user-mode NAT: a 0 line marked "not measured"
    const half = (ms: number, per: number) => Math.floor((ms + per / 2) / per);
    const expectA = half(a, 1000);
    const expectB = half(bMs, 10000) + half(bMs, 20000);

    const inv = await engine.call('billing.invoice', { ...period, customer: 'ACME' });
    assert.equal(inv.timezone, 'Europe/Paris');
    const line = (vm: string, kind: string) => inv.lines.find((l) => l.vmName === vm && l.kind === kind)!;
    assert.equal(line('meter-a', 'poweredOn').amountMinor, expectA);
    assert.equal(line('meter-a', 'transfer').notMeasured, true);
    assert.equal(line('meter-a', 'transfer').amountMinor, 0);
    assert.equal(line('meter-b', 'vcpu').amountMinor, half(bMs, 10000));
    assert.equal(line('meter-b', 'ram').amountMinor, half(bMs, 20000));
    assert.deepEqual(inv.totals, [{ currency: 'EUR', amountMinor: expectA + expectB, minorDigits: 2 }]);

    const csv = await engine.call('billing.invoiceExport', { ...period, customer: 'ACME', format: 'csv' });
    assert.match(csv.content, new RegExp(`TOTAL,,,,EUR,${((expectA + expectB) / 100).toFixed(2).replace('.', '\\.')},${expectA + expectB},`));
    const html = await engine.call('billing.invoiceExport', { ...period, customer: 'ACME', format: 'html' });
    assert.match(html.content, /@media print/);
    assert.match(html.filename, /\.html$/);
  });

  test('a plan in use cannot be deleted; a bad time zone or currency is refused with a clear sentence', async () => {
    await assert.rejects(engine.call('plan.delete', { plan: 'hourly' }), /in use by customer ACME/);
    await assert.rejects(engine.call('customer.create', { name: 'Bad', timezone: 'Mars/Olympus' }), /not a time zone/);
    await assert.rejects(engine.call('plan.create', { name: 'x', currency: 'EURO' }), /ISO 4217/);
  });
});
