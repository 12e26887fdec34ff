import i18next from 'i18next';
import type { VmInfo } from '../../../src-main/api/contract';
import { api, ApiError, errorMessage } from '../../api';
import { toast } from '../../components/toast-store';
import { useMachines } from './store';

export type PowerAction = 'start' | 'stop' | 'kill' | 'pause' | 'resume' | 'reset';

/**
 * Run a power action on a VM and report failures as toasts with the engine's own sentence.
 * A shutdown that times out (the guest ignored ACPI) offers "Force off" right in the toast.
 */
export async function runPowerAction(vm: Pick<VmInfo, 'id' | 'name'>, action: PowerAction): Promise<void> {
  const store = useMachines.getState();
  // Force off may interrupt anything (a shutdown waiting on a deaf guest); other actions wait their turn.
  if (store.busy[vm.id] && action !== 'kill') return;
  store.setBusy(vm.id, action);
  try {
    const input = { vm: vm.id };
    const result =
      action === 'start'
        ? await api.call('vm.start', input)
        : action === 'stop'
          ? await api.call('vm.stop', { vm: vm.id, wait: true })
          : action === 'kill'
            ? await api.call('vm.kill', input)
            : action === 'pause'
              ? await api.call('vm.pause', input)
              : action === 'resume'
                ? await api.call('vm.resume', input)
                : await api.call('vm.reset', input);
    useMachines.getState().upsert(result);
  } catch (e) {
    const t = i18next.t;
    const canForce = e instanceof ApiError && e.code === 'TIMEOUT' && e.details?.canForce === true;
    toast({
      level: 'error',
      title: t(`actions.failed.${action}`, { name: vm.name }),
      message: errorMessage(e),
      ...(canForce && { action: { label: t('toolbar.kill'), run: () => void runPowerAction(vm, 'kill') } }),
    });
    void useMachines.getState().refetch(vm.id);
  } finally {
    if (useMachines.getState().busy[vm.id] === action) useMachines.getState().setBusy(vm.id, null);
  }
}

/** Delete a VM; the files the engine kept are listed in a toast so nothing vanishes silently. */
export async function deleteVm(vm: Pick<VmInfo, 'id' | 'name'>, deleteDisks: boolean): Promise<boolean> {
  const t = i18next.t;
  try {
    const result = await api.call('vm.delete', { vm: vm.id, deleteDisks });
    useMachines.getState().remove(vm.id);
    toast({
      level: 'success',
      ...(result.keptFiles.length > 0
        ? { title: t('delete.done', { name: vm.name }), message: t('delete.doneKeptTitle'), items: result.keptFiles }
        : { message: t('delete.done', { name: vm.name }) }),
      timeoutMs: result.keptFiles.length > 0 ? 12000 : 5000,
    });
    return true;
  } catch (e) {
    toast({ level: 'error', title: t('delete.failed', { name: vm.name }), message: errorMessage(e) });
    return false;
  }
}
