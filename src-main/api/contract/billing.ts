import { z } from 'zod';
import { method } from './define';
import { empty, objectName, objectRef } from './common';

/**
 * Metering and billing. Money is always integer minor units (cents) of a plan's ISO 4217
 * currency. Rounding rule: each line item is computed exactly from milliseconds and bytes,
 * then rounded half-up to the minor unit; a total is the sum of its rounded lines.
 */
export { ROUNDING_RULE } from './billing-rule';

/** A rate in the currency's major unit, as a decimal string with at most 6 decimals ("0.045"). */
const rate = (what: string) =>
  z
    .string({ error: `${what}: give an amount such as 0.05.` })
    .regex(/^\d{1,9}(\.\d{1,6})?$/, { error: `${what}: use a plain amount with at most 6 decimals, such as 0.05 (no currency sign).` })
    .default('0');

export const PlanRatesSchema = z
  .object({
    /** Per hour the VM is powered on (starting, running, paused or stopping). */
    perHourOn: rate('Price per hour on'),
    perVcpuHour: rate('Price per vCPU-hour'),
    perGibRamHour: rate('Price per GiB-RAM-hour'),
    /** Per GB (10^9 bytes) in + out. Not charged while the VM's traffic is not measured. */
    perGbTransferred: rate('Price per GB transferred'),
    /** Per GiB of disk allocated per hour the VM exists. */
    perDiskGibHour: rate('Price per disk GiB-hour'),
    /** Flat fee per calendar month, prorated exactly by the share of each month billed. */
    flatMonthly: rate('Monthly fee'),
  })
  .strict();
export type PlanRates = z.infer<typeof PlanRatesSchema>;

export interface PlanInfo {
  id: string;
  name: string;
  currency: string;
  rates: PlanRates;
  createdAt: string;
}

export interface CustomerInfo {
  id: string;
  name: string;
  timezone: string;
  planId: string | null;
  planName: string | null;
  vmIds: string[];
  createdAt: string;
}

export interface VmBillingInfo {
  vmId: string;
  vmName: string;
  customerId: string | null;
  customerName: string | null;
  /** The VM's own plan (overrides the customer's). */
  planId: string | null;
  /** The plan that applies: the VM's, else its customer's, else none. */
  effectivePlanId: string | null;
  effectivePlanName: string | null;
}

/** Usage of one VM over [from, to). Network is null when not measured, never 0. */
export interface UsageRow {
  vmId: string;
  vmName: string;
  customerId: string | null;
  customerName: string | null;
  /** Start of the bucket (with splitBy=day), else the period start. ISO. */
  from: string;
  to: string;
  poweredOnSec: number;
  vcpuSec: number;
  gibRamSec: number;
  diskGibHours: number;
  netRxBytes: number | null;
  netTxBytes: number | null;
}

export interface UsageReport {
  from: string;
  to: string;
  timezone: string;
  rows: UsageRow[];
  totalsByCustomer: Array<Omit<UsageRow, 'vmId' | 'vmName' | 'from' | 'to'> & { vms: number }>;
}

export const LINE_KINDS = ['poweredOn', 'vcpu', 'ram', 'transfer', 'disk', 'flat'] as const;
export type LineKind = (typeof LINE_KINDS)[number];

export interface InvoiceLine {
  vmId: string;
  vmName: string;
  planName: string;
  currency: string;
  kind: LineKind;
  /** The metered quantity in `unit` (hours, GB, months), unrounded. */
  quantity: number;
  unit: string;
  /** Rate per unit, as the plan states it. */
  rate: string;
  amountMinor: number;
  /** True when the quantity could not be measured (charged 0). */
  notMeasured: boolean;
}

export interface Invoice {
  customerId: string;
  customerName: string;
  periodLabel: string;
  from: string;
  to: string;
  timezone: string;
  lines: InvoiceLine[];
  totals: Array<{ currency: string; amountMinor: number; minorDigits: number }>;
  /** VMs of the customer with no plan (not billed). */
  unbilledVms: string[];
  roundingRule: string;
  generatedAt: string;
}

const timezone = z.string().min(1).max(64).optional();
const isoInstant = (what: string) => z.iso.datetime({ offset: true, error: `${what}: use an ISO date-time such as 2026-11-01T00:00:00Z.` });
const periodMonth = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: 'Period must be a month written YYYY-MM, such as 2026-11.' });

/** A period: a month (in the time zone) or explicit [from, to). */
export const PeriodInput = z
  .object({
    period: periodMonth.optional(),
    from: isoInstant('From').optional(),
    to: isoInstant('To').optional(),
    /** IANA time zone for month and day boundaries; default: the customer's, else UTC. */
    timezone,
  })
  .strict();

const currency = z
  .string({ error: 'A currency is required (ISO 4217 code such as EUR).' })
  .regex(/^[A-Z]{3}$/, { error: 'Currency must be an ISO 4217 code of three capital letters, such as EUR or USD.' });

export const billingMethods = {
  'plan.list': method<PlanInfo[]>()(empty, 'Billing plans.'),
  'plan.create': method<PlanInfo>()(
    z.object({ name: objectName('plan'), currency, rates: PlanRatesSchema.default({ perHourOn: '0', perVcpuHour: '0', perGibRamHour: '0', perGbTransferred: '0', perDiskGibHour: '0', flatMonthly: '0' }) }).strict(),
    'Create a plan: a currency and rates (combine any of them).',
  ),
  'plan.delete': method<null>()(z.object({ plan: objectRef('plan') }).strict(), 'Delete a plan no customer or VM uses.'),
  'customer.list': method<CustomerInfo[]>()(empty, 'Customers (or projects) that own VMs.'),
  'customer.create': method<CustomerInfo>()(
    z.object({ name: objectName('customer'), timezone: timezone.default('UTC'), plan: objectRef('plan').optional() }).strict(),
    'Create a customer with a time zone and an optional default plan.',
  ),
  'customer.update': method<CustomerInfo>()(
    z.object({ customer: objectRef('customer'), timezone, plan: objectRef('plan').nullable().optional() }).strict(),
    'Change a customer’s time zone or default plan.',
  ),
  'customer.delete': method<null>()(z.object({ customer: objectRef('customer') }).strict(), 'Delete a customer (its VMs become unassigned).'),
  'billing.assign': method<VmBillingInfo>()(
    z.object({ vm: objectRef('VM'), customer: objectRef('customer').nullable().optional(), plan: objectRef('plan').nullable().optional() }).strict(),
    'Give a VM to a customer and/or its own plan (null removes; absent keeps).',
  ),
  'billing.vms': method<VmBillingInfo[]>()(empty, 'Every VM with its customer and plan.'),
  'usage.report': method<UsageReport>()(
    PeriodInput.extend({ customer: objectRef('customer').optional(), splitBy: z.enum(['none', 'day']).default('none') }).strict(),
    'Metered usage per VM over a period (default: this month so far).',
  ),
  'billing.invoice': method<Invoice>()(PeriodInput.extend({ customer: objectRef('customer') }).strict(), 'An invoice for a customer and a period, with line items per VM.'),
  'billing.invoiceExport': method<{ filename: string; mimeType: string; content: string }>()(
    PeriodInput.extend({ customer: objectRef('customer'), format: z.enum(['csv', 'html']) }).strict(),
    'The invoice as CSV or as a printable HTML page.',
  ),
} as const;
