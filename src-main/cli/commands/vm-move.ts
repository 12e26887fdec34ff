import type { Command } from 'commander';
import { HangarError } from '../../api/errors';
import { MOVE_STORAGE } from '../../api/contract/move-storage';
import { formatBytes } from '../../util/units';
import { UsageError, parseInteger, print, withClient } from '../common';
import { runTask } from './images';

/**
 * `hangar vm move NAME --to HOST [--live]` (hosts/vm-mover.ts). Progress: one line per step on a
 * pipe or a log (stderr), the usual self-updating line on a terminal; the task as JSON with --json.
 */
export function registerVmMoveCommands(program: Command): void {
  const vm = program.commands.find((c) => c.name() === 'vm');
  if (!vm) return;
  vm.command('move <name>')
    .description('Move a machine to another host ("local" = this computer): offline (stopped: copied, verified, switched) or --live (running: RAM, and the disks in its folder copied live).')
    .requiredOption('--to <host>', 'the destination: a host name or id, or "local"')
    .option('--live', 'move it running (live migration); without it the machine must be stopped (or --stop)')
    .option('--storage <mode>', `live only: ${MOVE_STORAGE.join(', ')} (auto: copy the disks in the machine's folder, the rest must be shared)`, 'auto')
    .option('--stop', 'offline: shut a running machine down first (ACPI)')
    .option('--stop-timeout <sec>', 'how long --stop waits for the guest to power off', '120')
    .option('--delete-source', 'remove the old folder on the source host after the move (kept by default)')
    .option('--json', 'print the finished task as JSON')
    .action(async (name: string, o: { to: string; live?: boolean; storage: string; stop?: boolean; stopTimeout: string; deleteSource?: boolean; json?: boolean }) => {
      if (!(MOVE_STORAGE as readonly string[]).includes(o.storage)) throw new UsageError(`--storage is one of ${MOVE_STORAGE.join(', ')}, not "${o.storage}".`);
      if (o.live && o.stop) throw new UsageError('--live and --stop exclude each other: a live move keeps the machine running.');
      const input = {
        vm: name,
        toHost: o.to,
        live: !!o.live,
        storage: o.storage as (typeof MOVE_STORAGE)[number],
        stopFirst: !!o.stop,
        stopTimeoutSec: parseInteger('--stop-timeout')(o.stopTimeout),
        deleteSource: !!o.deleteSource,
      };
      const lines = !o.json && !process.stderr.isTTY;
      const t = await withClient(async (c) => {
        let taskId = '';
        let last = '';
        const off = lines
          ? c.onEvent((m) => {
              if (m.topic !== 'task.updated' || m.data.id !== taskId || m.data.state !== 'running') return;
              const line = `${m.data.progress === null ? '' : `${Math.round(m.data.progress * 100)}% `}${m.data.message ?? ''}`.trim();
              // one line per step, not per tick: the message without its changing numbers
              const step = line.replace(/[\d.]+/g, '#');
              if (line && step !== last) process.stderr.write(`${line}\n`);
              last = step;
            })
          : () => undefined;
        try {
          return await runTask(
            c,
            async () => {
              const task = await c.call('vm.move', input);
              taskId = task.id;
              if (lines) process.stderr.write(`${task.title}\n`);
              return { task };
            },
            !!o.json,
          );
        } finally {
          off();
        }
      });
      if (t.state !== 'succeeded') throw new HangarError((t.error?.code as 'IO_ERROR') ?? 'INTERNAL', t.error?.message ?? `${t.title}: ${t.state}.`);
      const r = t.result ?? {};
      const what = typeof r.diskBytes === 'number' && r.diskBytes > 0 ? ` (${formatBytes(Number(r.bytes ?? 0))} of RAM, ${formatBytes(r.diskBytes)} of disk)` : input.live ? ` (${formatBytes(Number(r.bytes ?? 0))} of RAM)` : ` (${formatBytes(Number(r.bytes ?? 0))} copied)`;
      const kept = typeof r.sourceKept === 'string' ? `\nThe old folder is kept at ${r.sourceKept} on the source host (remove it when you no longer need it, or use --delete-source).` : '';
      print(!!o.json, t, () => `Moved "${name}" to ${o.to}${input.live ? ', running' : ''}${what}: ${String(r.dir)}.${kept}`);
    });
}
