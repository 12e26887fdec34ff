/**
 * The engine's sentences for people, by code. Why: the CLI and the logs want the English sentence,
 * the renderer wants to say it in the UI's language. Every notice, state reason and schedule-run
 * detail the engine writes is produced here with `say(code, params)`, so the English text is one
 * template per code, and a stored sentence (a VM's state reason, a schedule run's message kept in
 * SQLite) can be turned back into its code and parameters with `recognize` — exactly, because the
 * templates are the only way those sentences are made. The renderer translates `engine.<code>`
 * with i18next (src-renderer/i18n/engine-text.ts); parameters that are themselves engine sentences
 * (a KVM reason inside the KVM notice) are recognised and translated too.
 *
 * Pure: no Node APIs, so the renderer imports it as well.
 */
export const ENGINE_MESSAGES = {
  'vm.forcedOff': 'Forced off.',
  'vm.guestPoweredOff': 'The guest powered off.',
  'vm.hostSignal': 'QEMU was stopped by a signal on the host (SIGTERM or SIGINT).',
  'vm.endedUnrecorded': 'QEMU ended without recording why (was the host restarted?).',
  'vm.killedBySignal': 'QEMU was killed by signal {signal}.',
  'vm.exitStatus': 'QEMU exited with status {status}.',
  'vm.tcgRunning': 'Running under TCG emulation (no KVM).',
  'vm.acpiRequested': 'Shutdown requested (ACPI power button).',
  'vm.acpiAsked': 'Asked the guest to shut down (ACPI power button).',
  'vm.agentAsked': 'Asked the guest to shut down (guest agent).',
  'vm.guestPoweredOffAgent': 'The guest powered off (shut down through the guest agent).',
  'vm.reset': 'Reset.',
  'kvm.unavailable': 'KVM is not available ({reason}): VMs run under TCG emulation, which is much slower.',
  'kvm.tcgChosen': 'TCG was chosen with HANGAR_ACCEL=tcg.',
  'kvm.noDevice': '/dev/kvm does not exist (no hardware virtualisation, or the kvm module is not loaded).',
  'kvm.initFailed': 'KVM could not be initialised: {why}.',
  'kvm.initFailedBare': 'KVM could not be initialised.',
  'schedule.started': 'Started "{vm}".',
  'schedule.resumed': 'Resumed "{vm}" (it was paused).',
  'schedule.already': '"{vm}" was already {state}.',
  'schedule.shutDown': '"{vm}" shut down (ACPI).',
  'schedule.shutDownAgent': '"{vm}" shut down (guest agent).',
  'schedule.forcedOff': '"{vm}" ignored the ACPI shutdown for {seconds} s and was forced off.',
  'schedule.snapshotTaken': 'Took snapshot "{name}" of "{vm}".',
  'schedule.snapshotTakenPruned': 'Took snapshot "{name}" of "{vm}", deleted {count} older one(s) (keeping {keep}).',
  'schedule.commandOk': '"hangar {command}" succeeded (exit 0).',
  'schedule.stillRunning': 'The previous run of this schedule was still in progress.',
  'schedule.interrupted': 'Interrupted: the engine stopped while this run was in progress.',
  'schedule.missed': 'Missed {count} run(s) while no Hangar engine was running (the last was due {due}; the grace window is {minutes} min).',
  'schedule.missedMany': 'Missed at least {count} run(s) while no Hangar engine was running (the last was due {due}; the grace window is {minutes} min).',
  'schedule.failedNotice': 'Schedule "{name}" failed: {message}',
  // backup schedules (issue 17): the run's record says what the backup was
  'schedule.backupFull': 'Full backup {id} of "{vm}": {size}, {consistency}.',
  'schedule.backupIncremental': 'Incremental backup {id} of "{vm}": {size}, {consistency}.',
  'schedule.backupFullPruned': 'Full backup {id} of "{vm}": {size}, {consistency}; deleted {count} older backup(s) (keeping {daily} daily, {weekly} weekly).',
  'schedule.backupIncrementalPruned': 'Incremental backup {id} of "{vm}": {size}, {consistency}; deleted {count} older backup(s) (keeping {daily} daily, {weekly} weekly).',
  'backup.consistent': 'consistent (the guest agent froze its file systems)',
  'backup.consistentStopped': 'consistent (the VM was stopped)',
  'backup.crashConsistent': 'crash-consistent (no guest agent answered)',
} as const;

export type EngineMessageCode = keyof typeof ENGINE_MESSAGES;
export type EngineParams = Record<string, string | number>;

/** A sentence by code, as it crosses the API next to its English text. */
export interface EngineText {
  code: EngineMessageCode;
  params?: EngineParams;
}

/** The English sentence for a code. */
export function say(code: EngineMessageCode, params: EngineParams = {}): string {
  return ENGINE_MESSAGES[code].replace(/\{(\w+)\}/g, (_m, k: string) => (k in params ? String(params[k]) : `{${k}}`));
}

/** The sentence and its code together (for events and errors). */
export function sayText(code: EngineMessageCode, params?: EngineParams): { message: string; text: EngineText } {
  return { message: say(code, params), text: params ? { code, params } : { code } };
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
let matchers: Array<{ code: EngineMessageCode; re: RegExp; keys: string[]; literal: number }> | null = null;

/** Turn an engine sentence back into its code and parameters; null for any other text. */
export function recognize(message: string | null | undefined): EngineText | null {
  if (!message) return null;
  matchers ??= (Object.keys(ENGINE_MESSAGES) as EngineMessageCode[]).map((code) => {
    const keys: string[] = [];
    const body = ENGINE_MESSAGES[code]
      .split(/(\{\w+\})/)
      .map((part) => {
        const m = /^\{(\w+)\}$/.exec(part);
        if (!m) return escape(part);
        keys.push(m[1]!);
        return '([\\s\\S]+?)';
      })
      .join('');
    return { code, re: new RegExp(`^${body}$`), keys, literal: ENGINE_MESSAGES[code].replace(/\{\w+\}/g, '').length };
  })
    // the most specific template first: "Missed at least {count}" before "Missed {count}"
    .sort((x, y) => y.literal - x.literal);
  for (const { code, re, keys } of matchers) {
    const m = re.exec(message);
    if (!m) continue;
    if (!keys.length) return { code };
    return { code, params: Object.fromEntries(keys.map((k, i) => [k, m[i + 1]!])) };
  }
  return null;
}
