import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import type { CustomerInfo, PlanInfo, VmBillingInfo } from '../../src-main/api/contract';
import { CLI, tempHome } from '../helpers/env';

// The billing commands as a user runs them: a process per command (an in-process engine each,
// against a real SQLite file). No guest is started: these check the commands, not metering.

const { home, cleanup } = tempHome('hangar-billing-cli-');
const env = { ...process.env, HANGAR_HOME: home, HANGAR_CLI_IN_PROCESS: '1' };
const hangar = (...args: string[]) => {
  const r = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', timeout: 60000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const ok = (...args: string[]) => {
  const r = hangar(...args);
  assert.equal(r.code, 0, `hangar ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

after(cleanup);

// The calendar month, in `tz`, of an instant the test recorded: never a month written in the test,
// so the suite passes on the first second of a month or a year as on any other day.
const monthIn = (iso: string, tz: string): string => {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit' }).formatToParts(new Date(iso));
  return `${parts.find((p) => p.type === 'year')!.value}-${parts.find((p) => p.type === 'month')!.value}`;
};
let createdAt = '';

describe('hangar plan / customer / vm assign / usage / invoice', () => {
  test('plans and customers are created, listed and assigned; the VM plan overrides the customer plan', () => {
    ok('vm', 'create', '--name', 'srv', '--memory', '256', '--display', 'none', '--no-network');
    createdAt = (JSON.parse(ok('vm', 'show', 'srv', '--json')) as { createdAt: string }).createdAt;
    assert.ok(!Number.isNaN(Date.parse(createdAt)), `createdAt is an instant: ${createdAt}`);
    ok('plan', 'add', 'basic', '--currency', 'eur', '--per-hour', '0.05', '--per-gb', '0.09');
    ok('plan', 'add', 'big', '--currency', 'EUR', '--per-vcpu-hour', '0.02', '--per-gib-ram-hour', '0.01', '--monthly', '10');
    const plans = JSON.parse(ok('plan', 'list', '--json')) as PlanInfo[];
    assert.deepEqual(plans.map((p) => [p.name, p.currency, p.rates.perHourOn]), [['basic', 'EUR', '0.05'], ['big', 'EUR', '0']]);
    ok('customer', 'add', 'ACME', '--tz', 'Europe/Paris', '--plan', 'basic');
    assert.match(ok('customer', 'list'), /ACME\s+Europe\/Paris\s+basic/);
    assert.match(ok('customer', 'set', 'ACME', '--tz', 'America/New_York'), /ACME: America\/New_York, plan basic/);
    ok('customer', 'set', 'ACME', '--tz', 'Europe/Paris');
    assert.match(ok('vm', 'assign', 'srv', '--customer', 'ACME'), /customer ACME, plan basic \(the customer’s\)/);
    const own = JSON.parse(ok('vm', 'assign', 'srv', '--plan', 'big', '--json')) as VmBillingInfo;
    assert.equal(own.effectivePlanName, 'big');
    const c = (JSON.parse(ok('customer', 'list', '--json')) as CustomerInfo[])[0]!;
    assert.equal(c.vmIds.length, 1);
  });

  test('usage and invoice print tables, CSV and a printable HTML file', () => {
    // usage without a customer counts in UTC; ACME's invoice in its own zone (Europe/Paris)
    assert.match(ok('usage', '--period', monthIn(createdAt, 'UTC')), /CUSTOMER\s+VM\s+HOURS ON/);
    const month = monthIn(createdAt, 'Europe/Paris');
    assert.match(ok('usage', '--csv'), /^customer,vm,from,to,powered_on_seconds/);
    const csv = ok('invoice', 'ACME', '--period', month, '--csv');
    assert.match(csv, /^customer,period,from,to,timezone,vm,plan,item/);
    const file = path.join(home, 'invoice.html');
    ok('invoice', 'ACME', '--period', month, '--html', file);
    assert.match(fs.readFileSync(file, 'utf8'), /@media print/);
    assert.ok(!fs.existsSync(`${file}.part`));
    assert.match(ok('invoice', 'ACME'), /rounded half-up/);
  });

  test('mistakes get a clear sentence and a non-zero exit', () => {
    const plan = hangar('plan', 'remove', 'basic');
    assert.equal(plan.code, 1);
    assert.match(plan.stderr, /in use by customer ACME/);
    const tz = hangar('customer', 'add', 'Bad', '--tz', 'Mars/Olympus');
    assert.match(tz.stderr, /not a time zone/);
    const period = hangar('invoice', 'ACME', '--period', `${monthIn(createdAt, 'UTC').slice(0, 4)}-13`);
    assert.equal(period.code, 2);
    assert.match(period.stderr, /YYYY-MM/);
    const stats = hangar('stats', 'srv');
    assert.equal(stats.code, 1);
    assert.match(stats.stderr, /stopped: live statistics exist only while it runs/);
    assert.equal(hangar('vm', 'assign', 'srv').code, 2);
  });
});
