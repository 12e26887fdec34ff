import { useMemo, useState, type FormEvent } from 'react';
import { OptionList } from '../../components/OptionList';
import { useTranslation } from 'react-i18next';
import { SCHEDULE_ACTIONS, type MethodInput, type ScheduleAction, type ScheduleInfo } from '../../../src-main/api/contract';
import { ApiError, api, errorMessage } from '../../api';
import { Button } from '../../components/Button';
import { Field } from '../../components/Field';
import { toast } from '../../components/toast-store';
import { useMachines } from '../machines/store';
import { splitArgs, timeZones } from './schedule-logic';
import { useSchedules } from './store';

/** Add a schedule, or edit `existing`: name, action (+ its options), cron expression and time zone, grace window. */
export function ScheduleForm({ onDone, existing }: { onDone(): void; existing?: ScheduleInfo }) {
  const { t } = useTranslation();
  const byId = useMachines((s) => s.byId);
  const vms = useMemo(() => Object.values(byId), [byId]);
  const zones = useMemo(timeZones, []);
  const [name, setName] = useState(existing?.name ?? '');
  const [action, setAction] = useState<ScheduleAction>(existing?.action ?? 'start');
  const [vm, setVm] = useState(existing?.vmId ?? vms[0]?.id ?? '');
  const [cron, setCron] = useState(existing?.cron ?? '0 8 * * 1-5');
  const [timezone, setTimezone] = useState(existing?.timezone ?? zones[0] ?? 'UTC');
  const [timeoutSec, setTimeoutSec] = useState(existing?.shutdownTimeoutSec ?? 120);
  const [force, setForce] = useState(existing?.forceAfterTimeout ?? true);
  const [keep, setKeep] = useState(existing?.keepSnapshots ?? 7);
  const [backupFolder, setBackupFolder] = useState(existing?.backupFolder ?? '');
  const [backupMode, setBackupMode] = useState<'auto' | 'full'>(existing?.backupMode ?? 'auto');
  const [keepDaily, setKeepDaily] = useState(existing?.keepDaily ?? 7);
  const [keepWeekly, setKeepWeekly] = useState(existing?.keepWeekly ?? 4);
  const [command, setCommand] = useState(existing ? existing.argv.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(' ') : '');
  const [graceMin, setGraceMin] = useState(existing ? Math.round(existing.graceSec / 60) : 15);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setBusy(true);
    setErrors({});
    const input: MethodInput<'schedule.add'> = {
      name: name.trim(),
      action,
      cron: cron.trim(),
      timezone,
      graceSec: graceMin * 60,
      ...(action === 'command' ? { argv: splitArgs(command) } : { vm }),
      ...(action === 'shutdown' && { shutdownTimeoutSec: timeoutSec, forceAfterTimeout: force }),
      ...(action === 'snapshot' && { keepSnapshots: keep }),
      ...(action === 'backup' && { backupMode, keepDaily, keepWeekly, ...(backupFolder.trim() && { backupFolder: backupFolder.trim() }) }),
    };
    try {
      const s = existing
        ? await api.call('schedule.update', { ...input, schedule: existing.id, ...(action === 'command' && { vm: null }), ...(action === 'backup' && !backupFolder.trim() && { backupFolder: null }) })
        : await api.call('schedule.add', input);
      toast({ level: 'success', message: t(existing ? 'schedules.saved' : 'schedules.added', { name: s.name }) });
      void useSchedules.getState().load();
      onDone();
    } catch (e) {
      const field = e instanceof ApiError ? (e.field?.split('.')[0] ?? null) : null;
      if (field && ['name', 'cron', 'timezone', 'vm', 'argv', 'graceSec', 'shutdownTimeoutSec', 'keepSnapshots', 'backupFolder', 'keepDaily', 'keepWeekly'].includes(field)) setErrors({ [field]: (e as ApiError).message });
      else toast({ level: 'error', message: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="ops-form" onSubmit={(e) => void submit(e)} aria-label={existing ? t('schedules.editTitle', { name: existing.name }) : t('schedules.add')} data-testid="schedule-form">
      <Field label={t('schedules.name')} error={errors.name ?? null} testId="schedule-name">
        {(p) => <input {...p} type="text" value={name} onChange={(e) => setName(e.target.value)} required placeholder={t('schedules.namePlaceholder')} data-testid="schedule-name" />}
      </Field>
      <Field label={t('schedules.action')}>
        {(p) => (
          <select {...p} value={action} onChange={(e) => setAction(e.target.value as ScheduleAction)} data-testid="schedule-action">
            {SCHEDULE_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {t(`schedules.actions.${a}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      {action === 'command' ? (
        <Field label={t('schedules.command')} hint={t('schedules.commandHint')} error={errors.argv ?? null} testId="schedule-command" className="ops-form-wide">
          {(p) => <input {...p} type="text" value={command} onChange={(e) => setCommand(e.target.value)} placeholder="vm stop web" spellCheck={false} data-testid="schedule-command" />}
        </Field>
      ) : (
        <Field label={t('schedules.vm')} error={errors.vm ?? null} testId="schedule-vm">
          {(p) => (
            <select {...p} value={vm} onChange={(e) => setVm(e.target.value)} data-testid="schedule-vm">
              {vms.length === 0 && <option value="">{t('schedules.noVms')}</option>}
              <OptionList items={vms} value={(v) => v.id} label={(v) => v.name} />
            </select>
          )}
        </Field>
      )}
      <Field label={t('schedules.cron')} hint={t('schedules.cronHint')} error={errors.cron ?? null} testId="schedule-cron">
        {(p) => <input {...p} type="text" value={cron} onChange={(e) => setCron(e.target.value)} spellCheck={false} className="mono" data-testid="schedule-cron" />}
      </Field>
      <Field label={t('schedules.timezone')} error={errors.timezone ?? null} testId="schedule-timezone">
        {(p) => (
          <>
            <input {...p} type="text" list="hangar-time-zones" value={timezone} onChange={(e) => setTimezone(e.target.value)} spellCheck={false} data-testid="schedule-timezone" />
            <datalist id="hangar-time-zones">
              {zones.map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
          </>
        )}
      </Field>
      {action === 'shutdown' && (
        <>
          <Field label={t('schedules.timeout')} hint={t('schedules.timeoutHint')} error={errors.shutdownTimeoutSec ?? null}>
            {(p) => <input {...p} type="number" min={0} max={3600} value={timeoutSec} onChange={(e) => setTimeoutSec(Number(e.target.value))} />}
          </Field>
          <label className="ops-check">
            <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} data-testid="schedule-force" />
            {t('schedules.force')}
          </label>
        </>
      )}
      {action === 'snapshot' && (
        <Field label={t('schedules.keep')} error={errors.keepSnapshots ?? null}>
          {(p) => <input {...p} type="number" min={1} max={1000} value={keep} onChange={(e) => setKeep(Number(e.target.value))} />}
        </Field>
      )}
      {action === 'backup' && (
        <>
          <Field label={t('scheduleBackup.folder')} hint={t('scheduleBackup.folderHint')} error={errors.backupFolder ?? null} testId="schedule-backup-folder" className="ops-form-wide">
            {(p) => <input {...p} type="text" value={backupFolder} onChange={(e) => setBackupFolder(e.target.value)} placeholder={t('scheduleBackup.folderPlaceholder')} spellCheck={false} data-testid="schedule-backup-folder" />}
          </Field>
          <Field label={t('scheduleBackup.mode')}>
            {(p) => (
              <select {...p} value={backupMode} onChange={(e) => setBackupMode(e.target.value as 'auto' | 'full')} data-testid="schedule-backup-mode">
                <option value="auto">{t('scheduleBackup.modes.auto')}</option>
                <option value="full">{t('scheduleBackup.modes.full')}</option>
              </select>
            )}
          </Field>
          <Field label={t('scheduleBackup.keepDaily')} hint={t('scheduleBackup.retentionHint')} error={errors.keepDaily ?? null}>
            {(p) => <input {...p} type="number" min={0} max={3650} value={keepDaily} onChange={(e) => setKeepDaily(Number(e.target.value))} data-testid="schedule-keep-daily" />}
          </Field>
          <Field label={t('scheduleBackup.keepWeekly')} error={errors.keepWeekly ?? null}>
            {(p) => <input {...p} type="number" min={0} max={520} value={keepWeekly} onChange={(e) => setKeepWeekly(Number(e.target.value))} data-testid="schedule-keep-weekly" />}
          </Field>
        </>
      )}
      <Field label={t('schedules.grace')} hint={t('schedules.graceHint')} error={errors.graceSec ?? null}>
        {(p) => <input {...p} type="number" min={0} max={10080} value={graceMin} onChange={(e) => setGraceMin(Number(e.target.value))} />}
      </Field>
      <div className="ops-form-actions">
        <Button onClick={onDone}>{t('common.cancel')}</Button>
        <Button type="submit" variant="primary" icon={existing ? 'check' : 'plus'} busy={busy} disabled={!name.trim()} data-testid="schedule-submit">
          {existing ? t('common.save') : t('schedules.add')}
        </Button>
      </div>
    </form>
  );
}
