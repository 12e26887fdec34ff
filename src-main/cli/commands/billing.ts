import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Invoice, PlanRates } from '../../api/contract';
import { ROUNDING_RULE } from '../../api/contract/billing-rule';
import { formatMinor } from '../../metering/money';
import { UsageError, print, withClient } from '../common';
import { table } from '../output';

/** `hangar plan|customer add/list/remove`, `hangar vm assign`, `hangar invoice`. */
export function invoiceText(inv: Invoice): string {
  const digits = (c: string) => inv.totals.find((t) => t.currency === c)?.minorDigits ?? 2;
  const rows = inv.lines.map((l) => [l.vmName, l.planName, l.kind, `${(Math.round(l.quantity * 1e4) / 1e4).toString()} ${l.unit}`, `${l.rate} ${l.currency}`, l.notMeasured ? 'not measured' : `${formatMinor(l.amountMinor, digits(l.currency))} ${l.currency}`]);
  return [
    `Invoice for ${inv.customerName}, ${inv.periodLabel} (${inv.from} → ${inv.to}, ${inv.timezone})`,
    rows.length ? table(rows, ['VM', 'PLAN', 'ITEM', 'QUANTITY', 'RATE', 'AMOUNT']) : 'No billable usage in this period.',
    ...inv.totals.map((t) => `TOTAL ${formatMinor(t.amountMinor, t.minorDigits)} ${t.currency}`),
    ...(inv.unbilledVms.length ? [`Not billed (no plan): ${inv.unbilledVms.join(', ')}`] : []),
    ROUNDING_RULE,
  ].join('\n');
}

function writeAtomic(file: string, content: string): void {
  const target = path.resolve(file);
  const part = `${target}.part`;
  fs.writeFileSync(part, content);
  fs.renameSync(part, target);
}

/** [plan rate, flag, help, the option's name as commander stores it] */
const RATE_OPTIONS: Array<[keyof PlanRates, string, string, string]> = [
  ['perHourOn', '--per-hour <amount>', 'price per hour powered on', 'perHour'],
  ['perVcpuHour', '--per-vcpu-hour <amount>', 'price per vCPU-hour', 'perVcpuHour'],
  ['perGibRamHour', '--per-gib-ram-hour <amount>', 'price per GiB of memory per hour', 'perGibRamHour'],
  ['perGbTransferred', '--per-gb <amount>', 'price per GB (10^9 bytes) transferred in + out', 'perGb'],
  ['perDiskGibHour', '--per-disk-gib-hour <amount>', 'price per GiB of disk per hour', 'perDiskGibHour'],
  ['flatMonthly', '--monthly <amount>', 'flat fee per calendar month (prorated)', 'monthly'],
];

export function registerBillingCommands(program: Command): void {
  const plan = program.command('plan').description('Billing plans: a currency and rates (any combination).');
  const add = plan.command('add <name>').description('Create a plan. Amounts are in the currency’s major unit, up to 6 decimals (0.05).').requiredOption('--currency <code>', 'ISO 4217 code, e.g. EUR');
  for (const [, flag, help] of RATE_OPTIONS) add.option(flag, help);
  add.option('--json', 'print JSON').action(async (name: string, o: Record<string, string | boolean | undefined>) => {
    const rates: Partial<PlanRates> = {};
    for (const [key, , , attr] of RATE_OPTIONS) {
      const v = o[attr];
      if (typeof v === 'string') rates[key] = v;
    }
    const p = await withClient((c) => c.call('plan.create', { name, currency: String(o.currency).toUpperCase(), rates }));
    print(!!o.json, p, () => `Created plan "${p.name}" (${p.currency}).`);
  });
  plan.command('list').description('List plans.').option('--json', 'print JSON').action(async (o: { json?: boolean }) => {
    const plans = await withClient((c) => c.call('plan.list', {}));
    print(!!o.json, plans, () => (plans.length ? table(plans.map((p) => [p.name, p.currency, p.rates.perHourOn, p.rates.perVcpuHour, p.rates.perGibRamHour, p.rates.perGbTransferred, p.rates.perDiskGibHour, p.rates.flatMonthly]), ['NAME', 'CURRENCY', 'PER-HOUR', 'PER-VCPU-H', 'PER-GIB-RAM-H', 'PER-GB', 'PER-DISK-GIB-H', 'MONTHLY']) : 'No plans yet. Create one with: hangar plan add NAME --currency EUR --per-hour 0.05'));
  });
  plan
    .command('remove <name>')
    .description('Delete a plan nobody uses.')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { json?: boolean }) => {
      await withClient((c) => c.call('plan.delete', { plan: name }));
      print(!!o.json, { deleted: name }, () => `Deleted plan "${name}".`);
    });

  const customer = program.command('customer').description('Customers or projects that own VMs.');
  customer
    .command('add <name>')
    .description('Create a customer.')
    .option('--tz <zone>', 'IANA time zone for its invoices', 'UTC')
    .option('--plan <plan>', 'default plan for its VMs')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { tz: string; plan?: string; json?: boolean }) => {
      const c = await withClient((cl) => cl.call('customer.create', { name, timezone: o.tz, ...(o.plan ? { plan: o.plan } : {}) }));
      print(!!o.json, c, () => `Created customer "${c.name}" (${c.timezone}${c.planName ? `, plan ${c.planName}` : ''}).`);
    });
  customer.command('list').description('List customers.').option('--json', 'print JSON').action(async (o: { json?: boolean }) => {
    const list = await withClient((c) => c.call('customer.list', {}));
    print(!!o.json, list, () => (list.length ? table(list.map((c) => [c.name, c.timezone, c.planName ?? '-', String(c.vmIds.length)]), ['NAME', 'TIME ZONE', 'PLAN', 'VMS']) : 'No customers yet. Create one with: hangar customer add NAME --plan PLAN'));
  });
  customer
    .command('set <name>')
    .description('Change a customer’s time zone or default plan ("none" removes the plan).')
    .option('--tz <zone>', 'IANA time zone')
    .option('--plan <plan>', 'default plan, or "none"')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { tz?: string; plan?: string; json?: boolean }) => {
      if (o.tz === undefined && o.plan === undefined) throw new UsageError('Give --tz and/or --plan.');
      const plan = o.plan === undefined ? {} : { plan: o.plan.toLowerCase() === 'none' ? null : o.plan };
      const c = await withClient((cl) => cl.call('customer.update', { customer: name, ...(o.tz ? { timezone: o.tz } : {}), ...plan }));
      print(!!o.json, c, () => `${c.name}: ${c.timezone}, plan ${c.planName ?? '-'}.`);
    });
  customer
    .command('remove <name>')
    .description('Delete a customer (its VMs become unassigned).')
    .option('--json', 'print JSON')
    .action(async (name: string, o: { json?: boolean }) => {
      await withClient((c) => c.call('customer.delete', { customer: name }));
      print(!!o.json, { deleted: name }, () => `Deleted customer "${name}".`);
    });

  const vm = program.commands.find((c) => c.name() === 'vm');
  if (vm) {
    vm.command('assign <name>')
      .description('Give a machine to a customer and/or its own plan (the VM’s plan overrides the customer’s). "none" removes.')
      .option('--customer <customer>', 'customer name, or "none"')
      .option('--plan <plan>', 'plan name, or "none"')
      .option('--json', 'print JSON')
      .action(async (name: string, o: { customer?: string; plan?: string; json?: boolean }) => {
        if (o.customer === undefined && o.plan === undefined) throw new UsageError('Give --customer and/or --plan.');
        const none = (v: string) => (v.toLowerCase() === 'none' ? null : v);
        const r = await withClient((c) => c.call('billing.assign', { vm: name, ...(o.customer !== undefined ? { customer: none(o.customer) } : {}), ...(o.plan !== undefined ? { plan: none(o.plan) } : {}) }));
        print(!!o.json, r, () => `${r.vmName}: customer ${r.customerName ?? '-'}, plan ${r.effectivePlanName ?? '-'}${r.planId ? ' (its own)' : r.effectivePlanId ? ' (the customer’s)' : ''}.`);
      });
  }

  program
    .command('invoice <customer>')
    .description('An invoice for a customer: line items per VM, totals per currency. ' + ROUNDING_RULE)
    .option('--period <YYYY-MM>', 'calendar month in the time zone (default: this month so far)')
    .option('--from <iso>', 'start instead of a month')
    .option('--to <iso>', 'end (exclusive)')
    .option('--tz <zone>', 'IANA time zone (default: the customer’s)')
    .option('--csv', 'print CSV')
    .option('--html <file>', 'write a printable HTML page to FILE')
    .option('--json', 'print JSON')
    .action(async (cust: string, o: { period?: string; from?: string; to?: string; tz?: string; csv?: boolean; html?: string; json?: boolean }) => {
      const period = { ...(o.period ? { period: o.period } : {}), ...(o.from ? { from: o.from } : {}), ...(o.to ? { to: o.to } : {}), ...(o.tz ? { timezone: o.tz } : {}) };
      if (o.html) {
        const file = o.html;
        const r = await withClient((c) => c.call('billing.invoiceExport', { customer: cust, format: 'html', ...period }));
        writeAtomic(file, r.content);
        process.stdout.write(`Wrote ${path.resolve(file)}\n`);
        return;
      }
      if (o.csv) {
        const r = await withClient((c) => c.call('billing.invoiceExport', { customer: cust, format: 'csv', ...period }));
        process.stdout.write(r.content);
        return;
      }
      const inv = await withClient((c) => c.call('billing.invoice', { customer: cust, ...period }));
      print(!!o.json, inv, () => invoiceText(inv));
    });
}
