// Scheduler and networking benchmark (numbers, not pass/fail):
//  - schedule.list with many schedules (each computes its next run in its own time zone)
//  - start-up catch-up after a long downtime (a minutely schedule missed for 30 days)
//  - TCP throughput between the host and a guest through a NAT port forward is not measured here
//    (the test guest has no bulk data tool); internal-network latency is in the integration test's ping.
import { Engine } from '../../src-main/engine/engine';
import { ManualClock } from '../../src-main/scheduler/clock';
import { dueBetween } from '../../src-main/scheduler/cron';
import { tempHome } from '../helpers/env';

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Australia/Sydney', 'Asia/Kolkata'];
const ms = (n: number) => `${n.toFixed(1)} ms`;

async function main() {
  const { home, cleanup } = tempHome('hangar-bench-sched-');
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const e = await Engine.open({ home, watch: false, clock: new ManualClock(t0) });
  const N = Number(process.env.BENCH_SCHEDULES ?? 500);
  let t = performance.now();
  for (let i = 0; i < N; i++) await e.call('schedule.add', { name: `s${i}`, cron: `${i % 60} ${i % 24} * * *`, timezone: ZONES[i % ZONES.length]!, action: 'command', argv: ['vm', 'list'] });
  console.log(`schedule.add ×${N}: ${ms(performance.now() - t)} (${ms((performance.now() - t) / N)} each)`);
  t = performance.now();
  const list = await e.call('schedule.list', {});
  console.log(`schedule.list with ${list.length} schedules: ${ms(performance.now() - t)}`);
  await e.close();

  t = performance.now();
  const dues = dueBetween('* * * * *', 'Europe/Berlin', t0, t0 + 30 * 86400_000);
  console.log(`due instants of a minutely schedule over 30 days (${dues.length}): ${ms(performance.now() - t)}`);

  // catch-up at start-up: all N schedules were missed for 30 days
  const { home: home2, cleanup: cleanup2 } = tempHome('hangar-bench-catchup-');
  const e1 = await Engine.open({ home: home2, watch: false, clock: new ManualClock(t0) });
  for (let i = 0; i < 50; i++) await e1.call('schedule.add', { name: `m${i}`, cron: '* * * * *', timezone: ZONES[i % ZONES.length]!, action: 'command', argv: ['vm', 'list'], graceSec: 0 });
  await e1.close();
  t = performance.now();
  const e2 = await Engine.open({ home: home2, watch: true, clock: new ManualClock(t0 + 30 * 86400_000 + 30_000) });
  console.log(`long-lived engine open with 50 minutely schedules missed for 30 days (catch-up): ${ms(performance.now() - t)}`);
  await e2.close();
  cleanup();
  cleanup2();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
