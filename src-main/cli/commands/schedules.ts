import { Option, type Command } from 'commander';
import * as path from 'node:path';
import type { MethodInput, ScheduleInfo, ScheduleRun } from '../../api/contract';
import { UsageError, parseInteger, print, withClient } from '../common';
import { table } from '../output';

/** `hangar schedule ...` and `hangar vm autostart ...`. */
export function registerScheduleCommands(program: Command): void {
  const schedule = program
    .command('schedule')
    .description('Cron schedules with a time zone: start, shut down, snapshot or back up VMs, or run a hangar command. They run while the desktop app or "hangar serve" runs.');

  schedule
    .command('add <name> [argv...]')
    .description('Add a schedule. For --action command, put the hangar arguments after "--": hangar schedule add nightly --cron "0 3 * * *" --action command -- vm stop web')
    .requiredOption('--cron <expr>', 'cron expression: minute hour day-of-month month day-of-week (e.g. "0 8 * * 1-5"), or 6 fields with seconds first')
    .addOption(new Option('--action <action>', 'what to do').choices(['start', 'shutdown', 'snapshot', 'command', 'backup']).makeOptionMandatory())
    .option('--vm <vm>', 'the VM (start, shutdown, snapshot, backup)')
    .option('--tz <zone>', 'IANA time zone the expression is read in (default: this computer\'s)')
    .option('--timeout <seconds>', 'shutdown: wait this long for the guest after the ACPI request', parseInteger('--timeout'))
    .option('--no-force', 'shutdown: do not force the VM off when it ignores the ACPI request')
    .option('--keep <n>', 'snapshot: keep this many of this schedule\'s snapshots', parseInteger('--keep'))
    .option('--pool <dir>', 'backup: the backup folder on the VM\u2019s host (default: $HANGAR_HOME/backups)')
    .option('--full', 'backup: always a full backup (default: incremental when the chain allows)')
    .option('--keep-daily <n>', 'backup: after each backup keep the newest of the last N days (default 7)', parseInteger('--keep-daily'))
    .option('--keep-weekly <n>', 'backup: ...and of the last N weeks (default 4); older backups of the VM are pruned', parseInteger('--keep-weekly'))
    .option('--grace <minutes>', 'run once at start-up when missed by at most this long (default 15)', parseInteger('--grace'))
    .option('--disabled', 'add it paused')
    .option('--json', 'print JSON')
    .action(async (name: string, argv: string[], o: { cron: string; action: ScheduleInfo['action']; vm?: string; tz?: string; timeout?: number; force: boolean; keep?: number; grace?: number; disabled?: boolean; json?: boolean } & BackupOpts) => {
      if (o.action !== 'backup' && backupInput(o).length) throw new UsageError(`${backupInput(o).join(', ')} ${backupInput(o).length > 1 ? 'are' : 'is'} only for --action backup.`);
      if (o.action !== 'command' && argv.length > 0) throw new UsageError(`Extra arguments "${argv.join(' ')}" are only for --action command.`);
      const input: MethodInput<'schedule.add'> = {
        name,
        cron: o.cron,
        action: o.action,
        forceAfterTimeout: o.force,
        enabled: !o.disabled,
        ...(o.vm !== undefined && { vm: o.vm }),
        ...(o.tz !== undefined && { timezone: o.tz }),
        ...(o.timeout !== undefined && { shutdownTimeoutSec: o.timeout }),
        ...(o.keep !== undefined && { keepSnapshots: o.keep }),
        ...backupFields(o),
        ...(o.grace !== undefined && { graceSec: o.grace * 60 }),
        ...(argv.length > 0 && { argv }),
      };
      const s = await withClient((c) => c.call('schedule.add', input));
      print(!!o.json, s, () => `Added schedule "${s.name}" (${s.cron}, ${s.timezone}). Next run: ${s.nextRunAt ?? 'never'}.`);
    });

  schedule
    .command('edit <schedule> [argv...]')
    .description('Change a schedule; options not given stay as they are. New command arguments go after "--".')
    .option('--name <name>', 'rename it')
    .option('--cron <expr>', 'new cron expression')
    .option('--tz <zone>', 'new IANA time zone')
    .addOption(new Option('--action <action>', 'new action').choices(['start', 'shutdown', 'snapshot', 'command', 'backup']))
    .option('--vm <vm>', 'the VM (start, shutdown, snapshot, backup)')
    .option('--timeout <seconds>', 'shutdown: wait this long for the guest', parseInteger('--timeout'))
    .option('--force', 'shutdown: force off after the timeout')
    .option('--no-force', 'shutdown: do not force off')
    .option('--keep <n>', 'snapshot: how many to keep', parseInteger('--keep'))
    .option('--pool <dir>', 'backup: the backup folder ("default" for $HANGAR_HOME/backups)')
    .option('--full', 'backup: always a full backup')
    .option('--no-full', 'backup: incremental when the chain allows')
    .option('--keep-daily <n>', 'backup: keep the newest of the last N days', parseInteger('--keep-daily'))
    .option('--keep-weekly <n>', 'backup: keep the newest of the last N weeks', parseInteger('--keep-weekly'))
    .option('--grace <minutes>', 'missed-run grace window', parseInteger('--grace'))
    .option('--json', 'print JSON')
    .action(async (ref: string, argv: string[], o: { name?: string; cron?: string; tz?: string; action?: ScheduleInfo['action']; vm?: string; timeout?: number; force?: boolean; keep?: number; grace?: number; json?: boolean } & BackupOpts) => {
      const input: MethodInput<'schedule.update'> = {
        schedule: ref,
        ...(o.name !== undefined && { name: o.name }),
        ...(o.cron !== undefined && { cron: o.cron }),
        ...(o.tz !== undefined && { timezone: o.tz }),
        ...(o.action !== undefined && { action: o.action }),
        ...(o.vm !== undefined && { vm: o.vm }),
        ...(o.timeout !== undefined && { shutdownTimeoutSec: o.timeout }),
        ...(o.force !== undefined && { forceAfterTimeout: o.force }),
        ...(o.keep !== undefined && { keepSnapshots: o.keep }),
        ...backupFields(o),
        ...(o.pool === 'default' && { backupFolder: null }),
        ...(o.grace !== undefined && { graceSec: o.grace * 60 }),
        ...(argv.length > 0 && { argv }),
      };
      if (Object.keys(input).length === 1) throw new UsageError('Nothing to change: give at least one option (see hangar schedule edit --help).');
      const s = await withClient((c) => c.call('schedule.update', input));
      print(!!o.json, s, () => `Changed schedule "${s.name}" (${s.cron}, ${s.timezone}). Next run: ${s.nextRunAt ?? 'never'}.`);
    });

  schedule
    .command('list')
    .description('List schedules with their next run and last result.')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const list = await withClient((c) => c.call('schedule.list', {}));
      print(!!o.json, list, () =>
        list.length === 0
          ? 'No schedules yet. Add one with: hangar schedule add NAME --cron "0 8 * * 1-5" --tz Europe/Berlin --action start --vm VM'
          : table(
              list.map((s) => [s.name, s.enabled ? 'on' : 'paused', `${s.cron} (${s.timezone})`, actionText(s), s.nextRunAt ?? '-', s.lastRun ? s.lastRun.status : '-']),
              ['NAME', 'STATE', 'WHEN', 'ACTION', 'NEXT RUN (UTC)', 'LAST'],
            ),
      );
    });

  schedule
    .command('remove <schedule>')
    .description('Remove a schedule and its run history.')
    .option('--json', 'print JSON')
    .action(async (ref: string, o: { json?: boolean }) => {
      const r = await withClient((c) => c.call('schedule.remove', { schedule: ref }));
      print(!!o.json, r, () => `Removed schedule "${r.removed}".`);
    });

  for (const [verb, enabled] of [['enable', true], ['disable', false]] as const) {
    schedule
      .command(`${verb} <schedule>`)
      .description(enabled ? 'Resume a paused schedule.' : 'Pause a schedule (its due times are not run nor counted as missed).')
      .option('--json', 'print JSON')
      .action(async (ref: string, o: { json?: boolean }) => {
        const s = await withClient((c) => c.call('schedule.setEnabled', { schedule: ref, enabled }));
        print(!!o.json, s, () => `Schedule "${s.name}" is ${s.enabled ? `on; next run ${s.nextRunAt ?? 'never'}` : 'paused'}.`);
      });
  }

  schedule
    .command('runs [schedule]')
    .description('Run history, newest first.')
    .option('--limit <n>', 'at most this many', parseInteger('--limit'), 50)
    .option('--json', 'print JSON')
    .action(async (ref: string | undefined, o: { limit: number; json?: boolean }) => {
      const runs = await withClient((c) => c.call('schedule.runs', { limit: o.limit, ...(ref !== undefined && { schedule: ref }) }));
      print(!!o.json, runs, () => (runs.length === 0 ? 'No runs yet.' : table(runs.map(runRow), ['SCHEDULE', 'DUE (UTC)', 'TRIGGER', 'STATUS', 'MESSAGE'])));
    });

  schedule
    .command('run-now <schedule>')
    .description("Run a schedule's action now and wait for its result (exit 1 when it failed).")
    .option('--json', 'print JSON')
    .action(async (ref: string, o: { json?: boolean }) => {
      const run = await withClient((c) => c.call('schedule.runNow', { schedule: ref }));
      print(!!o.json, run, () => `${run.scheduleName}: ${run.status}${run.message ? ` — ${run.message}` : ''}`);
      if (run.status === 'failed') process.exitCode = 1;
    });

  registerAutostartCommands(program);
}

function registerAutostartCommands(program: Command): void {
  const vm = program.commands.find((c) => c.name() === 'vm');
  if (!vm) return;
  vm.command('autostart [vm] [state]')
    .description('Start a VM when the desktop app or "hangar serve" starts: "hangar vm autostart VM on|off [--order N] [--delay S]"; without arguments, list the autostart VMs.')
    .option('--order <n>', 'lower starts first', parseInteger('--order'))
    .option('--delay <seconds>', 'wait this long before starting it (after the previous one)', parseInteger('--delay'))
    .option('--json', 'print JSON')
    .action(async (vmRef: string | undefined, state: string | undefined, o: { order?: number; delay?: number; json?: boolean }) => {
      if (vmRef === undefined) {
        const list = await withClient((c) => c.call('autostart.list', {}));
        print(!!o.json, list, () => (list.length === 0 ? 'No VM starts automatically.' : table(list.map((e) => [String(e.order), e.vmName, `${e.delaySec} s`]), ['ORDER', 'VM', 'DELAY'])));
        return;
      }
      if (state !== 'on' && state !== 'off') throw new UsageError('Say "on" or "off": hangar vm autostart VM on|off [--order N] [--delay S].');
      const e = await withClient((c) => c.call('autostart.set', { vm: vmRef, enabled: state === 'on', ...(o.order !== undefined && { order: o.order }), ...(o.delay !== undefined && { delaySec: o.delay }) }));
      print(!!o.json, e, () => (e.enabled ? `"${e.vmName}" starts automatically (order ${e.order}, delay ${e.delaySec} s).` : `"${e.vmName}" no longer starts automatically.`));
    });
}

interface BackupOpts {
  pool?: string;
  full?: boolean;
  keepDaily?: number;
  keepWeekly?: number;
}

/** The backup options given, by their flags (to refuse them on other actions). */
const backupInput = (o: BackupOpts): string[] =>
  [o.pool !== undefined && '--pool', o.full !== undefined && '--full', o.keepDaily !== undefined && '--keep-daily', o.keepWeekly !== undefined && '--keep-weekly'].filter((x): x is string => !!x);

/** --pool, --full, --keep-daily, --keep-weekly → the contract's backup fields (a relative folder is made absolute here). */
function backupFields(o: BackupOpts): { backupFolder?: string; backupMode?: 'auto' | 'full'; keepDaily?: number; keepWeekly?: number } {
  return {
    ...(o.pool !== undefined && o.pool !== 'default' && { backupFolder: path.resolve(o.pool) }),
    ...(o.full !== undefined && { backupMode: o.full ? ('full' as const) : ('auto' as const) }),
    ...(o.keepDaily !== undefined && { keepDaily: o.keepDaily }),
    ...(o.keepWeekly !== undefined && { keepWeekly: o.keepWeekly }),
  };
}

function actionText(s: ScheduleInfo): string {
  switch (s.action) {
    case 'backup':
      return `back up ${s.vmName ?? '?'} (${s.backupMode === 'full' ? 'full' : 'incremental when possible'}, keep ${s.keepDaily} daily/${s.keepWeekly} weekly${s.backupFolder ? `, to ${s.backupFolder}` : ''})`;
    case 'command':
      return `hangar ${s.argv.join(' ')}`;
    case 'shutdown':
      return `shutdown ${s.vmName ?? '?'} (${s.shutdownTimeoutSec} s${s.forceAfterTimeout ? ', then force' : ''})`;
    case 'snapshot':
      return `snapshot ${s.vmName ?? '?'} (keep ${s.keepSnapshots})`;
    case 'start':
      return `start ${s.vmName ?? '?'}`;
  }
}

const runRow = (r: ScheduleRun) => [r.scheduleName, r.dueAt ?? '(run now)', r.trigger, r.status, r.message ?? ''];
