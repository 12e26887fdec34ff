import { useCallback, useEffect, useState } from 'react';
import { OpsTable } from '../../components/OpsTable';
import { useTranslation } from 'react-i18next';
import type { BackupInfo, VmInfo } from '../../../src-main/api/contract';
import { formatBytes } from '../../../src-main/shared/units';
import { api, errorMessage } from '../../api';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { ProgressBar } from '../../components/ProgressBar';
import { toast } from '../../components/toast-store';
import { useTasks } from '../tasks/store';
import '../storage/storage.css';

/**
 * Backups of one VM: "Back up now" (incremental when the chain allows, else full), the running
 * backup's progress with Cancel, and the list with Verify and Restore as a new VM.
 */
export function BackupsTab({ vm }: { vm: VmInfo }) {
  const { t } = useTranslation();
  const [list, setList] = useState<BackupInfo[] | null>(null);
  const [busy, setBusy] = useState(false);
  const running = useTasks((s) => s.tasks.find((x) => x.state === 'running' && x.kind.startsWith('backup.') && x.result?.vmId === vm.id));

  const load = useCallback(async () => {
    try {
      setList(await api.call('backup.list', { vm: vm.id }));
    } catch (e) {
      toast({ level: 'error', message: errorMessage(e) });
    }
  }, [vm.id]);

  useEffect(() => {
    void load();
    return api.on('task.updated', (task) => {
      if (!task.kind.startsWith('backup.') || task.state === 'running') return;
      void load();
      if (task.state === 'failed') toast({ level: 'error', message: task.error?.message ?? task.title });
    });
  }, [load]);

  const call = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await fn();
    } catch (e) {
      toast({ level: 'error', message: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };
  const backUp = () =>
    call(async () => {
      const { task } = await api.call('backup.create', { vm: vm.id });
      useTasks.getState().apply(task);
    });

  return (
    <div className="form-grid" data-testid="backups-tab">
      <div className="snapshot-form">
        <Button variant="primary" icon="copy" busy={busy} disabled={busy || !!running || vm.state === 'starting' || vm.state === 'stopping'} onClick={() => void backUp()} data-testid="backup-now">
          {t('backups.now')}
        </Button>
        <span className="muted">{t('backups.hint')}</span>
      </div>
      {running && (
        <div data-testid="backup-progress">
          <p>
            {running.title}: {running.message ?? t('backups.starting')} {running.progress !== null && `(${Math.round(running.progress * 100)}%)`}
          </p>
          <ProgressBar value={running.progress} label={running.title} />
          <Button onClick={() => void useTasks.getState().cancel(running.id)} data-testid="backup-cancel">
            {t('common.cancel')}
          </Button>
        </div>
      )}
      {list && list.length === 0 && !running && (
        <EmptyState title={t('backups.empty')}>
          <p className="muted">{t('backups.emptyHint')}</p>
        </EmptyState>
      )}
      {list && list.length > 0 && (
        <OpsTable className="data-table" testId="backup-list" columns={[t('backups.when'), t('backups.kind'), t('backups.consistency'), t('backups.size'), t('backups.status'), '']}>
          {list.map((b) => (
            <tr key={b.id} data-testid={`backup-row-${b.kind}`}>
              <td>{new Date(b.createdAt).toLocaleString()}</td>
              <td>{t(`backups.${b.kind}`)}</td>
              <td data-testid="backup-consistency" title={t(b.consistency === 'consistent' ? 'backups.consistentHint' : 'backups.crashConsistentHint')}>
                {t(b.consistency === 'consistent' ? 'backups.consistent' : 'backups.crashConsistent')}
              </td>
              <td>{formatBytes(b.bytes)}</td>
              <td>{b.status === 'ready' ? t('backups.ready') : t('backups.corrupt')}</td>
              <td>
                <Button disabled={busy} onClick={() => void call(async () => useTasks.getState().apply((await api.call('backup.verify', { backup: b.id })).task))}>
                  {t('backups.verify')}
                </Button>{' '}
                <Button disabled={busy} onClick={() => void call(async () => useTasks.getState().apply((await api.call('backup.restore', { backup: b.id })).task))} data-testid="backup-restore">
                  {t('backups.restore')}
                </Button>
              </td>
            </tr>
          ))}
        </OpsTable>
      )}
    </div>
  );
}
