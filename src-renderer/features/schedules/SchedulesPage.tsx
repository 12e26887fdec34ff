import { useEffect, useMemo, useState } from 'react';
import { OpsTable } from '../../components/OpsTable';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import type { AutostartEntry, ScheduleInfo, ScheduleRun } from '../../../src-main/api/contract';
import { api, errorMessage } from '../../api';
import { Button, IconButton } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { toast } from '../../components/toast-store';
import { useUi } from '../../app/ui-store';
import { useMachines } from '../machines/store';
import { formatInZone } from './schedule-logic';
import { ScheduleForm } from './ScheduleForm';
import { useSchedules } from './store';
import './ops.css';
import { engineText } from '../../i18n/engine-text';
import { formatDateTime } from '../../i18n/format';
import { PageHeader } from '../../app/pages';

const localZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const fail = (e: unknown) => toast({ level: 'error', message: errorMessage(e) });

/** Schedules (next run in their own zone and in local time, last result), recent runs, and autostart. */
export function SchedulesPage() {
  const { t } = useTranslation();
  const { schedules, runs, loaded, loadError, load } = useSchedules();
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<ScheduleInfo | null>(null);
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <div className="ops-page" data-testid="schedules-page">
      <PageHeader icon="clock" title={t('schedules.title')} hint={t('schedules.intro')}>
        {!adding && (
          <Button variant="primary" icon="plus" onClick={() => setAdding(true)} data-testid="schedule-new">
            {t('schedules.add')}
          </Button>
        )}
      </PageHeader>
      {loadError && (
        <p className="field-error" role="alert">
          {loadError} <Button onClick={() => void load()}>{t('common.retry')}</Button>
        </p>
      )}
      {adding && <ScheduleForm onDone={() => setAdding(false)} />}
      {editing && <ScheduleForm key={editing.id} existing={editing} onDone={() => setEditing(null)} />}
      <section aria-labelledby="schedules-list">
        <h2 id="schedules-list">{t('schedules.list')}</h2>
        {!loaded ? (
          <p className="muted">{t('app.loading')}</p>
        ) : schedules.length === 0 ? (
          <EmptyState title={t('schedules.emptyTitle')} testId="schedules-empty">
            <p className="muted">{t('schedules.emptyText')}</p>
          </EmptyState>
        ) : (
          <OpsTable testId="schedules-table" columns={[t('schedules.name'), t('schedules.when'), t('schedules.action'), t('schedules.nextRun'), t('schedules.lastRun'), { hidden: t('networks.actions') }]}>
            {schedules.map((s) => (
              <ScheduleRow key={s.id} s={s} onEdit={() => setEditing(s)} />
            ))}
          </OpsTable>
        )}
      </section>
      <section aria-labelledby="schedule-runs">
        <h2 id="schedule-runs">{t('schedules.runs')}</h2>
        {runs.length === 0 ? <p className="muted">{t('schedules.noRuns')}</p> : <RunsTable runs={runs} />}
      </section>
      <AutostartSection />
    </div>
  );
}

function actionText(s: ScheduleInfo, t: TFunction): string {
  if (s.action === 'command') return `hangar ${s.argv.join(' ')}`;
  const base = `${t(`schedules.actions.${s.action}`)} · ${s.vmName ?? '?'}`;
  if (s.action === 'shutdown') return `${base} (${t(s.forceAfterTimeout ? 'schedules.shutdownForce' : 'schedules.shutdownNoForce', { sec: s.shutdownTimeoutSec })})`;
  if (s.action === 'snapshot') return `${base} (${t('schedules.keepN', { count: s.keepSnapshots })})`;
  if (s.action === 'backup') {
    const opts = { mode: t(`scheduleBackup.modes.${s.backupMode}`), daily: s.keepDaily, weekly: s.keepWeekly, folder: s.backupFolder ?? '' };
    return `${base} (${t(s.backupFolder ? 'scheduleBackup.summaryFolder' : 'scheduleBackup.summary', opts)})`;
  }
  return base;
}

function ScheduleRow({ s, onEdit }: { s: ScheduleInfo; onEdit(): void }) {
  const { t, i18n } = useTranslation();
  const openDialog = useUi((st) => st.openDialog);
  const [running, setRunning] = useState(false);
  const runNow = () => {
    setRunning(true);
    api
      .call('schedule.runNow', { schedule: s.id })
      .then((r) => toast({ level: r.status === 'failed' ? 'error' : 'success', message: `${s.name}: ${r.message ? engineText(r.message) : t(`schedules.status.${r.status}`)}` }), fail)
      .finally(() => setRunning(false));
  };
  const remove = () =>
    openDialog({
      kind: 'confirm',
      title: t('schedules.removeTitle', { name: s.name }),
      message: t('schedules.removeText'),
      confirmLabel: t('schedules.remove'),
      onConfirm: () => void api.call('schedule.remove', { schedule: s.id }).catch(fail),
    });
  return (
    <tr data-testid={`schedule-${s.name}`}>
      <td>
        <strong>{s.name}</strong>
        {!s.enabled && <span className="ops-sub">{t('schedules.paused')}</span>}
      </td>
      <td>
        <code>{s.cron}</code>
        <span className="ops-sub">{s.timezone}</span>
      </td>
      <td>{actionText(s, t)}</td>
      <td data-testid={`schedule-next-${s.name}`}>
        {s.nextRunAt ? (
          <>
            {formatInZone(s.nextRunAt, s.timezone, i18n.language)}
            {s.timezone !== localZone && <span className="ops-sub">{t('schedules.localTime', { time: formatDateTime(s.nextRunAt) })}</span>}
          </>
        ) : (
          '—'
        )}
      </td>
      <td>{s.lastRun ? <RunStatus run={s.lastRun} /> : <span className="muted">{t('schedules.never')}</span>}</td>
      <td className="ops-actions">
        <label className="ops-inline-check">
          <input type="checkbox" checked={s.enabled} onChange={(e) => void api.call('schedule.setEnabled', { schedule: s.id, enabled: e.target.checked }).catch(fail)} aria-label={t('schedules.enabledFor', { name: s.name })} data-testid={`schedule-enabled-${s.name}`} />{' '}
          {t('schedules.enabled')}
        </label>{' '}
        <Button icon="play" busy={running} onClick={runNow} data-testid={`schedule-run-${s.name}`}>
          {t('schedules.runNow')}
        </Button>
        <IconButton icon="sliders" onClick={onEdit} label={t('schedules.editTitle', { name: s.name })} data-testid={`schedule-edit-${s.name}`} />
        <IconButton icon="trash" className="ops-danger" onClick={remove} label={t('schedules.removeTitle', { name: s.name })} data-testid={`schedule-remove-${s.name}`} />
      </td>
    </tr>
  );
}

function RunStatus({ run }: { run: ScheduleRun }) {
  const { t } = useTranslation();
  return (
    <span className={`ops-status-${run.status}`} title={run.message ? engineText(run.message) : undefined}>
      {t(`schedules.status.${run.status}`)}
      {run.finishedAt && <span className="ops-sub">{formatDateTime(run.finishedAt)}</span>}
    </span>
  );
}

function RunsTable({ runs }: { runs: ScheduleRun[] }) {
  const { t } = useTranslation();
  return (
    <OpsTable testId="runs-table" columns={[t('schedules.name'), t('schedules.due'), t('schedules.trigger'), t('schedules.result'), t('schedules.message')]}>
      {runs.map((r) => (
        <tr key={r.id}>
          <td>{r.scheduleName}</td>
          <td>{r.dueAt ? formatDateTime(r.dueAt) : t('schedules.manual')}</td>
          <td>{t(`schedules.triggers.${r.trigger}`)}</td>
          <td>
            <RunStatus run={r} />
          </td>
          <td className="small">{engineText(r.message)}</td>
        </tr>
      ))}
    </OpsTable>
  );
}

/** Every VM with its autostart switch, order and delay. */
function AutostartSection() {
  const { t } = useTranslation();
  const byId = useMachines((s) => s.byId);
  const vms = useMemo(() => Object.values(byId), [byId]);
  const entries = useSchedules((s) => s.autostart);
  const byVm = new Map(entries.map((e) => [e.vmId, e]));
  const save = (vm: string, patch: Partial<Pick<AutostartEntry, 'enabled' | 'order' | 'delaySec'>>, current: AutostartEntry | undefined) =>
    api
      .call('autostart.set', { vm, enabled: patch.enabled ?? current?.enabled ?? false, ...(patch.order !== undefined && { order: patch.order }), ...(patch.delaySec !== undefined && { delaySec: patch.delaySec }) })
      .then(() => useSchedules.getState().load(), fail);
  return (
    <section aria-labelledby="autostart" data-testid="autostart">
      <h2 id="autostart">{t('schedules.autostart')}</h2>
      <p className="ops-hint">{t('schedules.autostartIntro')}</p>
      {vms.length === 0 ? (
        <p className="muted">{t('schedules.noVms')}</p>
      ) : (
        <OpsTable columns={[t('schedules.vm'), t('schedules.autostartOn'), t('schedules.order'), t('schedules.delay')]}>
          {vms
            .slice()
            .sort((a, b) => a.name.localeCompare(b.name))
            .map((vm) => {
              const e = byVm.get(vm.id);
              return (
                <tr key={vm.id} data-testid={`autostart-${vm.name}`}>
                  <td>{vm.name}</td>
                  <td>
                    <input type="checkbox" checked={vm.spec.autostart} onChange={(ev) => void save(vm.id, { enabled: ev.target.checked }, e)} aria-label={t('schedules.autostartFor', { name: vm.name })} />
                  </td>
                  <td>
                    <input key={`order-${e?.order ?? 0}`} type="number" min={0} max={10000} defaultValue={e?.order ?? 0} disabled={!vm.spec.autostart} onBlur={(ev) => void save(vm.id, { order: Number(ev.target.value) }, e)} aria-label={t('schedules.orderFor', { name: vm.name })} />
                  </td>
                  <td>
                    <input key={`delay-${e?.delaySec ?? 0}`} type="number" min={0} max={3600} defaultValue={e?.delaySec ?? 0} disabled={!vm.spec.autostart} onBlur={(ev) => void save(vm.id, { delaySec: Number(ev.target.value) }, e)} aria-label={t('schedules.delayFor', { name: vm.name })} />
                  </td>
                </tr>
              );
            })}
        </OpsTable>
      )}
    </section>
  );
}
