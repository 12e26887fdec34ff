import { useMemo, useState } from 'react';
import { OptionList } from '../../components/OptionList';
import { useTranslation } from 'react-i18next';
import type { MethodInput, NetworkInfo, Nic, VmInfo } from '../../../src-main/api/contract';
import { api, errorMessage } from '../../api';
import { Button, IconButton } from '../../components/Button';
import { toast } from '../../components/toast-store';
import { useMachines } from '../machines/store';

type NicInput = NonNullable<MethodInput<'vm.update'>['nics']>[number];

/** A spec NIC back to an update input that keeps everything (its MAC included). */
export const nicToInput = (n: Nic): NicInput => ({
  model: n.model,
  mac: n.mac,
  mode: n.mode,
  ...(n.network !== undefined && { network: n.network }),
  ...(n.bridge !== undefined && { bridge: n.bridge }),
  portForwards: n.portForwards,
});

const editable = (vm: VmInfo) => vm.state === 'stopped' || vm.state === 'crashed';

async function setNics(vm: VmInfo, nics: NicInput[], success: string): Promise<void> {
  try {
    await api.call('vm.update', { vm: vm.id, nics });
    toast({ level: 'success', message: success });
  } catch (e) {
    toast({ level: 'error', message: errorMessage(e) });
  }
}

/** The machines on an internal network (each removable while stopped), and a picker to add one. */
export function NetworkMembers({ net }: { net: NetworkInfo }) {
  const { t } = useTranslation();
  const byId = useMachines((s) => s.byId);
  const candidates = useMemo(() => Object.values(byId).filter((vm) => editable(vm) && !net.members.some((m) => m.vmId === vm.id)), [byId, net.members]);
  const [pick, setPick] = useState('');
  const chosen = candidates.find((c) => c.id === pick) ?? candidates[0];

  const connect = () => {
    if (!chosen) return;
    void setNics(chosen, [...chosen.spec.nics.map(nicToInput), { mode: 'internal', network: net.name }], t('networks.connected', { vm: chosen.name, name: net.name }));
  };
  const disconnect = (vmId: string, nicId: string) => {
    const vm = byId[vmId];
    if (!vm) return;
    void setNics(vm, vm.spec.nics.filter((n) => n.id !== nicId).map(nicToInput), t('networks.disconnected', { vm: vm.name, name: net.name }));
  };

  return (
    <div className="ops-members">
      {net.members.length === 0 ? (
        <span className="muted">{t('networks.noMembers')}</span>
      ) : (
        <span className="ops-chips">
          {net.members.map((m) => {
            const vm = byId[m.vmId];
            return (
              <span key={`${m.vmId}-${m.nicId}`} className="chip ops-member" title={m.mac}>
                {m.vmName} · {m.nicId} · {t(`state.${m.vmState}`)}
                {vm && editable(vm) && <IconButton icon="close" className="ops-chip-x" label={t('networks.disconnect', { vm: m.vmName })} onClick={() => disconnect(m.vmId, m.nicId)} data-testid={`disconnect-${net.name}-${m.vmName}`} />}
              </span>
            );
          })}
        </span>
      )}
      {candidates.length > 0 && (
        <span className="ops-connect">
          <select value={chosen?.id ?? ''} onChange={(e) => setPick(e.target.value)} aria-label={t('networks.connectPick', { name: net.name })} data-testid={`connect-pick-${net.name}`}>
            <OptionList items={candidates} value={(c) => c.id} label={(c) => c.name} />
          </select>
          <Button icon="plus" onClick={connect} data-testid={`connect-${net.name}`}>
            {t('networks.connect')}
          </Button>
        </span>
      )}
    </div>
  );
}
