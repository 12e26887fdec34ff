import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '../../components/Button';
import { DialogActions } from '../../components/DialogActions';
import { Dialog } from '../../components/Dialog';
import { Icon } from '../../components/Icon';
import { useUi } from '../../app/ui-store';
import { deleteVm } from './actions';
import { deletePlan } from '../../../src-main/shared/delete-plan';
import { useMachines } from './store';
import { canDo } from './vm-actions';

/** Confirm deleting a VM, listing exactly what goes and what stays. Disks are kept unless ticked. */
export function DeleteDialog({ vmId }: { vmId: string }) {
  const { t } = useTranslation();
  const vm = useMachines((s) => s.byId[vmId]);
  const close = useUi((s) => s.closeDialog);
  const [deleteDisks, setDeleteDisks] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!vm) close();
  }, [vm, close]);
  if (!vm) return null;

  const plan = deletePlan(vm.spec, vm.dir, deleteDisks);
  const allowed = canDo('delete', vm.state);
  const ownedDisks = vm.spec.disks.filter((d) => d.owned).length;
  const confirm = async () => {
    setBusy(true);
    const ok = await deleteVm(vm, deleteDisks);
    setBusy(false);
    if (ok) close();
  };

  return (
    <Dialog
      title={t('delete.title', { name: vm.name })}
      onClose={close}
      size="md"
      testId="delete-dialog"
      initialFocus="[data-testid=delete-cancel]"
      footer={
        <DialogActions onCancel={close} cancelTestId="delete-cancel">
          <Button variant="danger" icon="trash" busy={busy} disabled={busy || !allowed} onClick={() => void confirm()} data-testid="delete-confirm">
            {t('delete.confirm')}
          </Button>
        </DialogActions>
      }
    >
      {!allowed && (
        <div className="callout callout-warning" role="note">
          <Icon name="warning" size={20} />
          <p>{t('delete.stopFirst')}</p>
        </div>
      )}
      <p>{t('delete.intro', { name: vm.name })}</p>
      <label className={`checkbox${ownedDisks === 0 ? ' disabled' : ''}`}>
        <input type="checkbox" checked={deleteDisks} disabled={ownedDisks === 0} onChange={(e) => setDeleteDisks(e.target.checked)} data-testid="delete-disks" />
        {t('delete.alsoDisks', { count: ownedDisks })}
      </label>
      <div className="delete-plan">
        <section aria-label={t('delete.willRemove')}>
          <h4 className="plan-remove">
            <Icon name="trash" size={14} /> {t('delete.willRemove')}
          </h4>
          <ul data-testid="delete-removed">
            <li>
              {t('delete.configAndFolder')} <code className="path">{vm.dir}</code>
            </li>
            {plan.removed.map((p) => (
              <li key={p}>
                <code className="path">{p}</code>
              </li>
            ))}
          </ul>
        </section>
        <section aria-label={t('delete.willKeep')}>
          <h4 className="plan-keep">
            <Icon name="check" size={14} /> {t('delete.willKeep')}
          </h4>
          {plan.kept.length === 0 ? (
            <p className="muted">{t('common.nothing')}</p>
          ) : (
            <ul data-testid="delete-kept">
              {plan.kept.map((p) => (
                <li key={p}>
                  <code className="path">{p}</code>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>
    </Dialog>
  );
}
