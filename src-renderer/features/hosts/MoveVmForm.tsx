import { useMemo, useState } from 'react';
import { OptionList } from '../../components/OptionList';
import { useTranslation } from 'react-i18next';
import { SubmitForm } from '../../components/SubmitForm';
import { api, errorMessage } from '../../api';
import { useUi } from '../../app/ui-store';
import { Button } from '../../components/Button';
import { Field } from '../../components/Field';
import { toast } from '../../components/toast-store';
import { useMachines } from '../machines/store';
import { useHosts } from './store';

/**
 * Move a stopped machine to another host (offline move: files copied and SHA-256-verified, then
 * switched). The move is a Task: its progress shows in the task panel, which opens.
 */
export function MoveVmForm({ onDone }: { onDone(): void }) {
  const { t } = useTranslation();
  const byId = useMachines((s) => s.byId);
  const hosts = useHosts((s) => s.hosts);
  const stopped = useMemo(() => Object.values(byId).filter((v) => v.state === 'stopped' || v.state === 'crashed').sort((a, b) => a.name.localeCompare(b.name)), [byId]);
  const [vmId, setVmId] = useState(stopped[0]?.id ?? '');
  const vm = byId[vmId];
  const targets = hosts.filter((h) => h.id !== vm?.hostId && h.state === 'online');
  const [toHostId, setToHostId] = useState('');
  const [deleteSource, setDeleteSource] = useState(false);
  const [busy, setBusy] = useState(false);
  const target = targets.find((h) => h.id === toHostId) ?? targets[0];

  const submit = async () => {
    if (!vm || !target) return;
    setBusy(true);
    try {
      await api.call('host.moveVm', { vm: vm.id, toHostId: target.id, deleteSource });
      useUi.getState().toggleTaskPanel(true);
      toast({ level: 'info', message: t('hosts.moveStarted', { vm: vm.name, host: target.kind === 'local' ? t('hosts.thisComputer') : target.name }) });
      onDone();
    } catch (e) {
      toast({ level: 'error', title: t('hosts.moveFailed'), message: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <SubmitForm className="host-add" aria-label={t('hosts.moveTitle')} data-testid="host-move-form" onSubmit={submit}>
      <h3>{t('hosts.moveTitle')}</h3>
      <p className="muted">{t('hosts.moveIntro')}</p>
      {stopped.length === 0 ? (
        <p className="muted" data-testid="host-move-none">
          {t('hosts.moveNone')}
        </p>
      ) : (
        <div className="host-move-grid">
          <Field label={t('hosts.moveVm')}>
            {(p) => (
              <select {...p} value={vmId} onChange={(e) => setVmId(e.target.value)} data-testid="host-move-vm">
                <OptionList items={stopped} value={(v) => v.id} label={(v) => v.name} />
              </select>
            )}
          </Field>
          <Field label={t('hosts.moveTo')} error={targets.length === 0 ? t('hosts.moveNoTarget') : null}>
            {(p) => (
              <select {...p} value={target?.id ?? ''} onChange={(e) => setToHostId(e.target.value)} disabled={targets.length === 0} data-testid="host-move-target">
                {targets.map((h) => (
                  <option key={h.id} value={h.id}>
                    {h.kind === 'local' ? t('hosts.thisComputer') : h.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <label className="checkbox span-2">
            <input type="checkbox" checked={deleteSource} onChange={(e) => setDeleteSource(e.target.checked)} data-testid="host-move-delete-source" />
            {t('hosts.moveDeleteSource')}
          </label>
        </div>
      )}
      <div className="host-add-actions">
        <span className="footer-spacer" />
        <Button onClick={onDone} disabled={busy}>
          {t('common.cancel')}
        </Button>
        <Button type="submit" variant="primary" busy={busy} disabled={busy || !vm || !target} data-testid="host-move-submit">
          {t('hosts.move')}
        </Button>
      </div>
    </SubmitForm>
  );
}
