import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMoveDialog } from './move-store';
import type { HostSummary } from '../../../src-main/api/contract';
import { api, ApiError, errorMessage } from '../../api';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { ProgressBar } from '../../components/ProgressBar';
import { toast } from '../../components/toast-store';
import { useTasks } from '../tasks/store';
import { useMachines } from '../machines/store';

/**
 * Move… (toolbar and the machine's menu): target host, live or offline, storage, then the move
 * task's progress bar in the dialog (task.updated events over the EventBus, via the task store).
 * The engine's `vm.move` (hosts/vm-mover.ts) does the checking and says why a move cannot be done.
 */

export function MoveDialog({ vmId }: { vmId: string }) {
  const { t } = useTranslation();
  const vm = useMachines((s) => s.byId[vmId]);
  const close = () => useMoveDialog.getState().show(null);
  const [hosts, setHosts] = useState<HostSummary[]>([]);
  const running = vm?.state === 'running' || vm?.state === 'paused';
  const [toHost, setToHost] = useState('');
  const [live, setLive] = useState(running);
  const [storage, setStorage] = useState<'auto' | 'shared'>('auto');
  const [stopFirst, setStopFirst] = useState(false);
  const [deleteSource, setDeleteSource] = useState(false);
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [taskId, setTaskId] = useState<string | null>(null);
  const task = useTasks((s) => (taskId ? s.tasks.find((x) => x.id === taskId) : undefined));

  useEffect(() => {
    void api.call('host.list', {}).then(setHosts, (e: unknown) => toast({ level: 'error', message: errorMessage(e) }));
  }, []);

  const targets = hosts.filter((h) => h.id !== vm?.hostId);
  const start = async () => {
    if (!toHost) return setIssues({ toHost: t('move.pickHost') });
    setIssues({});
    setBusy(true);
    try {
      const started = await api.call('vm.move', { vm: vmId, toHost, live, storage, stopFirst: !live && stopFirst, deleteSource });
      setTaskId(started.id);
    } catch (e) {
      const field = e instanceof ApiError ? e.field : null;
      setIssues({ [field ?? 'toHost']: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };

  const done = task && task.state !== 'running';
  const footer = (
    <>
      <span className="footer-spacer" />
      <Button onClick={close} data-testid="move-close">
        {done ? t('move.close') : t('common.cancel')}
      </Button>
      {!taskId && (
        <Button variant="primary" busy={busy} disabled={busy} onClick={() => void start()} data-testid="move-start">
          {t('move.action')}
        </Button>
      )}
      {task?.state === 'running' && task.cancellable && (
        <Button onClick={() => void useTasks.getState().cancel(task.id)} data-testid="move-cancel">
          {t('move.cancel')}
        </Button>
      )}
    </>
  );

  return (
    <Dialog title={t('move.title', { name: vm?.name ?? '' })} onClose={close} testId="move-dialog" footer={footer}>
      {!taskId ? (
        <div className="form-grid">
          <Field label={t('move.target')} error={issues.toHost} testId="move-host">
            {(p) => (
              <select {...p} value={toHost} onChange={(e) => setToHost(e.target.value)} data-testid="move-host">
                <option value="">{t('move.choose')}</option>
                {targets.map((h) => (
                  <option key={h.id} value={h.kind === 'local' ? 'local' : h.id}>
                    {h.kind === 'local' ? t('move.thisComputer') : `${h.name} (${h.state})`}
                  </option>
                ))}
              </select>
            )}
          </Field>
          {targets.length === 0 && <p data-testid="move-no-hosts">{t('move.noHosts')}</p>}
          <label className="check">
            <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} data-testid="move-live" /> {t('move.live')}
          </label>
          {live ? (
            <Field label={t('move.storage')} error={issues.storage} testId="move-storage">
              {(p) => (
                <select {...p} value={storage} onChange={(e) => setStorage(e.target.value as 'auto' | 'shared')} data-testid="move-storage">
                  <option value="auto">{t('move.storageCopy')}</option>
                  <option value="shared">{t('move.storageShared')}</option>
                </select>
              )}
            </Field>
          ) : (
            running && (
              <label className="check">
                <input type="checkbox" checked={stopFirst} onChange={(e) => setStopFirst(e.target.checked)} data-testid="move-stop-first" /> {t('move.stopFirst')}
              </label>
            )
          )}
          <label className="check">
            <input type="checkbox" checked={deleteSource} onChange={(e) => setDeleteSource(e.target.checked)} data-testid="move-delete-source" /> {t('move.deleteSource')}
          </label>
          {issues.live && <p className="field-error" role="alert" data-testid="move-error">{issues.live}</p>}
        </div>
      ) : (
        <div className="form-grid" data-testid="move-progress">
          <p>{task?.message ?? t('move.starting')}</p>
          <ProgressBar value={task?.state === 'succeeded' ? 1 : (task?.progress ?? null)} label={t('move.title', { name: vm?.name ?? '' })} />
          {task?.state === 'succeeded' && <p data-testid="move-done">{t('move.done')}</p>}
          {task?.state === 'failed' && (
            <p className="field-error" role="alert" data-testid="move-failed">
              {task.error?.message}
            </p>
          )}
        </div>
      )}
    </Dialog>
  );
}
