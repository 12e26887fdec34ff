import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, errorMessage } from '../../api';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { DialogActions } from '../../components/DialogActions';
import { Field } from '../../components/Field';
import { ProgressBar } from '../../components/ProgressBar';
import { SubmitForm } from '../../components/SubmitForm';
import { toast } from '../../components/toast-store';
import { useMachines } from '../machines/store';
import { useTasks } from '../tasks/store';
import { useExportDialog } from './export-store';

type Format = 'ova' | 'bundle';

/**
 * Export… (the machine's menu): OVA (for VirtualBox, VMware…) or a Hangar bundle, and where to write
 * it on the machine's host. The engine checks the machine and the path before the task starts (an
 * error comes back on the path field); then the task's progress bar with Cancel, and a toast with
 * the path when it is done. The engine's `appliance.export` (appliances/appliance-service.ts) does the work.
 */
export function ExportDialog({ vmId }: { vmId: string }) {
  const { t } = useTranslation();
  const vm = useMachines((s) => s.byId[vmId]);
  const close = () => useExportDialog.getState().show(null);
  const [format, setFormat] = useState<Format>('ova');
  const [target, setTarget] = useState('');
  const [overwrite, setOverwrite] = useState(false);
  const [issues, setIssues] = useState<{ path?: string; form?: string }>({});
  const [busy, setBusy] = useState(false);
  const [taskId, setTaskId] = useState<string | null>(null);
  const task = useTasks((s) => (taskId ? s.tasks.find((x) => x.id === taskId) : undefined));
  const stopped = vm?.state === 'stopped' || vm?.state === 'crashed';

  // the end of the task: a toast with the path and close, or back to the form with why
  useEffect(() => {
    if (!task || task.state === 'running') return;
    setTaskId(null);
    if (task.state === 'succeeded') {
      toast({ level: 'success', message: t('exportVm.done', { name: vm?.name ?? '', path: String(task.result?.path ?? target) }) });
      close();
    } else if (task.state === 'cancelled') toast({ level: 'info', message: t('exportVm.cancelled') });
    else setIssues({ form: task.error?.message ?? task.title });
  }, [task?.state]);

  const start = async () => {
    const dest = target.trim();
    if (!dest) return setIssues({ path: t('exportVm.pathRequired') });
    setIssues({});
    setBusy(true);
    try {
      const { task: started } = await api.call('appliance.export', { vm: vmId, format, path: dest, overwrite: format === 'ova' && overwrite });
      useTasks.getState().apply(started);
      setTaskId(started.id);
    } catch (e) {
      const field = e instanceof ApiError ? e.field : null;
      setIssues(field === 'path' ? { path: errorMessage(e) } : { form: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };

  const running = task?.state === 'running';
  const footer = running ? (
    <DialogActions onCancel={() => void useTasks.getState().cancel(task.id)} cancelLabel={t('exportVm.cancel')} cancelTestId="export-cancel" />
  ) : (
    <DialogActions onCancel={close} cancelTestId="export-close">
      <Button type="submit" form="export-form" variant="primary" busy={busy} disabled={busy || !stopped} data-testid="export-start">
        {t('exportVm.action')}
      </Button>
    </DialogActions>
  );

  return (
    <Dialog title={t('exportVm.title', { name: vm?.name ?? '' })} onClose={close} testId="export-dialog" footer={footer}>
      {running ? (
        <div className="form-grid" data-testid="export-progress">
          <p>
            {task.message ?? t('exportVm.starting')} {task.progress !== null && `(${Math.round(task.progress * 100)}%)`}
          </p>
          <ProgressBar value={task.progress} label={t('exportVm.title', { name: vm?.name ?? '' })} />
          <p className="muted">{target}</p>
        </div>
      ) : (
        <SubmitForm id="export-form" className="form-grid" onSubmit={start}>
          {!stopped && (
            <p className="field-hint" role="note" data-testid="export-must-stop">
              {t('exportVm.mustStop')}
            </p>
          )}
          <fieldset className="radio-group">
            <legend className="field-label">{t('exportVm.format')}</legend>
            {(['ova', 'bundle'] as const).map((f) => (
              <label key={f} className="radio">
                <input type="radio" name="export-format" checked={format === f} onChange={() => setFormat(f)} data-testid={`export-format-${f}`} />
                {t(`exportVm.formats.${f}`)}
              </label>
            ))}
          </fieldset>
          <Field label={t('exportVm.path')} hint={t(format === 'ova' ? 'exportVm.pathHintOva' : 'exportVm.pathHintBundle')} error={issues.path ?? null} testId="export-path">
            {(p) => (
              <input
                {...p}
                type="text"
                value={target}
                onChange={(e) => setTarget(e.target.value)}
                placeholder={format === 'ova' ? `/home/me/${vm?.name ?? 'vm'}.ova` : `/home/me/${vm?.name ?? 'vm'}-bundle`}
                spellCheck={false}
                data-testid="export-path"
              />
            )}
          </Field>
          {format === 'ova' && (
            <label className="check">
              <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite(e.target.checked)} data-testid="export-overwrite" /> {t('exportVm.overwrite')}
            </label>
          )}
          {issues.form && (
            <p className="field-error" role="alert" data-testid="export-error">
              {issues.form}
            </p>
          )}
        </SubmitForm>
      )}
    </Dialog>
  );
}
