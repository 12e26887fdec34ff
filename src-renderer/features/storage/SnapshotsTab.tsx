import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SubmitForm } from '../../components/SubmitForm';
import type { SnapshotTree, TaskInfo, VmInfo } from '../../../src-main/api/contract';
import { formatBytes } from '../../../src-main/shared/units';
import { api, ApiError, errorMessage } from '../../api';
import { useUi } from '../../app/ui-store';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { Field } from '../../components/Field';
import { Icon } from '../../components/Icon';
import { toast } from '../../components/toast-store';
import { flattenSnapshotTree, NAME_RE } from './storage-logic';
import './storage.css';
import { formatDateTime } from '../../i18n/format';
import { engineText } from '../../i18n/engine-text';

/** Snapshots of one VM as a tree ("you are here" marks the current one); take, revert, delete. */
export function SnapshotsTab({ vm }: { vm: VmInfo }) {
  const { t } = useTranslation();
  const openDialog = useUi((s) => s.openDialog);
  const [tree, setTree] = useState<SnapshotTree | null>(null);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [nameError, setNameError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setTree(await api.call('snapshot.list', { vm: vm.id }));
    } catch (e) {
      toast({ level: 'error', message: errorMessage(e) });
    }
  }, [vm.id]);

  useEffect(() => {
    void load();
    const offStorage = api.on('storage.changed', (d) => d.vmId === vm.id && void load());
    const offTask = api.on('task.updated', (task) => task.kind.startsWith('snapshot.') && task.state !== 'running' && void load());
    return () => {
      offStorage();
      offTask();
    };
  }, [vm.id, load]);

  const live = vm.state === 'running' || vm.state === 'paused';
  const transitional = vm.state === 'starting' || vm.state === 'stopping';

  const take = async () => {
    const n = name.trim();
    if (!NAME_RE.test(n) || /^\d+$/.test(n)) {
      setNameError(t('storage.errors.snapshotName'));
      return;
    }
    setNameError(null);
    setBusy(true);
    try {
      // the task panel shows its progress; the tree refreshes when it ends
      const pending = api.call('snapshot.create', { vm: vm.id, name: n, description, wait: true });
      setName('');
      setDescription('');
      taskToast(await pending, t('newUser.snapshotTaken', { name: n, vm: vm.name }));
    } catch (e) {
      if (e instanceof ApiError && e.field === 'name') setNameError(e.message);
      else toast({ level: 'error', message: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };

  const revert = (snapshotId: string, snapName: string) =>
    openDialog({
      kind: 'confirm',
      title: t('snapshotTab.revertTitle', { name: snapName }),
      message: live ? t('snapshotTab.revertLive', { vm: vm.name }) : t('snapshotTab.revertStopped', { vm: vm.name }),
      confirmLabel: t('snapshotTab.revert'),
      onConfirm: () =>
        void api
          .call('snapshot.revert', { vm: vm.id, snapshot: snapshotId, confirm: true, wait: true })
          .then((task) => taskToast(task, t('newUser.snapshotReverted', { name: snapName, vm: vm.name })))
          .catch((e: unknown) => toast({ level: 'error', message: errorMessage(e) })),
    });

  const remove = (snapshotId: string, snapName: string) =>
    openDialog({
      kind: 'confirm',
      title: t('snapshotTab.deleteTitle', { name: snapName }),
      message: t('snapshotTab.deleteText'),
      confirmLabel: t('snapshotTab.delete'),
      onConfirm: () => void api.call('snapshot.delete', { vm: vm.id, snapshot: snapshotId }).catch((e: unknown) => toast({ level: 'error', message: errorMessage(e) })),
    });

  if (!tree) return null;
  const nodes = flattenSnapshotTree(tree.snapshots);
  return (
    <div className="snapshots-tab" data-testid="vm-snapshots">
      {tree.unsupportedReason ? (
        <div className="callout callout-warning" role="status" data-testid="snapshots-unsupported">
          <Icon name="warning" size={20} />
          <div>
            <p>{tree.unsupportedReason}</p>
          </div>
        </div>
      ) : (
        <SubmitForm className="snapshot-form" onSubmit={take}>
          <Field label={t('snapshotTab.name')} error={nameError} testId="snapshot-name">
            {(p) => <input {...p} type="text" value={name} maxLength={64} onChange={(e) => setName(e.target.value)} data-testid="snapshot-name-input" />}
          </Field>
          <Field label={t('snapshotTab.description')}>
            {(p) => <input {...p} type="text" value={description} maxLength={2000} onChange={(e) => setDescription(e.target.value)} data-testid="snapshot-description-input" />}
          </Field>
          <Button type="submit" variant="primary" icon="camera" busy={busy} disabled={busy || transitional} data-testid="snapshot-take">
            {t('snapshotTab.take')}
          </Button>
          <p className="muted small snapshot-kind">{live ? t('snapshotTab.withRam') : t('snapshotTab.diskOnly')}</p>
        </SubmitForm>
      )}
      {nodes.length === 0 ? (
        <EmptyState title={t('snapshotTab.empty')} art={<Icon name="camera" size={40} />} testId="snapshots-empty">
          <p className="muted">{t('snapshotTab.emptyHint')}</p>
        </EmptyState>
      ) : (
        <ul className="snapshot-tree" role="tree" aria-label={t('snapshotTab.tree')} data-testid="snapshot-tree">
          {nodes.map(({ snapshot: s, depth, onCurrentPath }) => (
            <li key={s.id} role="treeitem" aria-level={depth + 1} aria-current={s.current || undefined} className={`snapshot-node${onCurrentPath ? ' on-path' : ''}${s.current ? ' current' : ''}`} style={{ paddingInlineStart: `${depth * 22 + 8}px` }} data-testid={`snapshot-${s.name}`}>
              <Icon name="camera" size={16} />
              <div className="snapshot-text">
                <strong>{s.name}</strong>
                {s.current && <span className="chip chip-accent">{t('snapshotTab.current')}</span>}
                <span className="muted small">
                  {formatDateTime(s.createdAt)} · {s.hasRam ? t('snapshotTab.ram', { size: formatBytes(s.vmStateBytes) }) : t('snapshotTab.diskOnlyShort')}
                </span>
                {s.description && <div className="muted small">{s.description}</div>}
              </div>
              <span className="toolbar-spacer" />
              <Button variant="ghost" icon="reset" disabled={transitional} onClick={() => revert(s.id, s.name)} data-testid={`revert-${s.name}`}>
                {t('snapshotTab.revert')}
              </Button>
              <Button variant="ghost" icon="trash" disabled={transitional} onClick={() => remove(s.id, s.name)} data-testid={`delete-snapshot-${s.name}`} aria-label={t('snapshotTab.deleteTitle', { name: s.name })}>
                {t('snapshotTab.delete')}
              </Button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The end of a snapshot task as a toast: success in words, or the task's own error. */
function taskToast(task: TaskInfo, success: string): void {
  if (task.state === 'succeeded') toast({ level: 'success', message: success });
  else if (task.state === 'failed') toast({ level: 'error', message: task.error ? engineText(task.error.message) : success });
}
