import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SubmitForm } from '../../components/SubmitForm';
import type { HostSummary } from '../../../src-main/api/contract';
import { formatBytes } from '../../../src-main/shared/units';
import { api, errorMessage } from '../../api';
import { useUi } from '../../app/ui-store';
import { Button } from '../../components/Button';
import { DialogActions } from '../../components/DialogActions';
import { Dialog } from '../../components/Dialog';
import { EmptyState } from '../../components/EmptyState';
import { Field } from '../../components/Field';
import { Icon } from '../../components/Icon';
import { toast } from '../../components/toast-store';
import { hostShellRoute } from '../consoles/console-logic';
import { openDetached } from '../consoles/open-window';
import { AddHostForm } from './AddHostForm';
import { MoveVmForm } from './MoveVmForm';
import { startHostsSync, useHosts } from './store';
import './hosts.css';

/** The Hosts page: this computer and the LAN hosts over SSH, their state, probe, test, remove, add. */
export function HostsDialog() {
  const { t } = useTranslation();
  const close = useUi((s) => s.closeDialog);
  const hosts = useHosts((s) => s.hosts);
  const loaded = useHosts((s) => s.loaded);
  const error = useHosts((s) => s.error);
  const [adding, setAdding] = useState(false);
  const [moving, setMoving] = useState(false);
  const addArea = useRef<HTMLDivElement>(null);
  const wasAdding = useRef(false);
  // the form closes (added or cancelled): keep keyboard focus inside the dialog, on "Add a host"
  useEffect(() => {
    if (wasAdding.current && !adding) addArea.current?.querySelector<HTMLButtonElement>('[data-testid=host-add]')?.focus();
    wasAdding.current = adding;
  }, [adding]);
  useEffect(() => {
    startHostsSync();
    void useHosts.getState().load();
  }, []);
  const lan = hosts.filter((h) => h.kind === 'ssh');

  return (
    <Dialog
      title={t('hosts.title')}
      onClose={close}
      size="lg"
      testId="hosts-dialog"
      footer={<DialogActions onCancel={close} cancelTestId="hosts-close" cancelLabel={t('common.close')} />}
    >
      <div className="hosts-page">
        <p className="muted">{t('hosts.intro')}</p>
        {error && (
          <div className="callout callout-warning" role="alert">
            <Icon name="warning" size={20} />
            <p>{error}</p>
          </div>
        )}
        <ul className="host-cards" aria-label={t('hosts.title')} data-testid="host-cards">
          {hosts.map((h) => (
            <HostCard key={h.id} host={h} />
          ))}
        </ul>
        {loaded && lan.length === 0 && !adding && (
          <EmptyState testId="hosts-empty" title={t('hosts.emptyTitle')} art={<Icon name="network" size={40} />}>
            <p className="muted">{t('hosts.emptyText')}</p>
          </EmptyState>
        )}
        <div ref={addArea} className="hosts-add-area">
          {adding ? (
            <AddHostForm onDone={() => setAdding(false)} />
          ) : moving ? (
            <MoveVmForm onDone={() => setMoving(false)} />
          ) : (
            <div className="host-add-actions">
              <Button variant="primary" icon="plus" onClick={() => setAdding(true)} data-testid="host-add">
                {t('hosts.add')}
              </Button>
              {lan.length > 0 && (
                <Button icon="external" onClick={() => setMoving(true)} data-testid="host-move">
                  {t('hosts.moveTitle')}
                </Button>
              )}
            </div>
          )}
        </div>
      </div>
    </Dialog>
  );
}

function HostCard({ host }: { host: HostSummary }) {
  const { t } = useTranslation();
  const caps = useHosts((s) => s.probes[host.id]);
  const [busy, setBusy] = useState<'test' | 'probe' | 'remove' | null>(null);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const run = async (what: 'test' | 'probe' | 'remove') => {
    setBusy(what);
    try {
      if (what === 'test') {
        await api.call('host.connect', { host: host.id });
        toast({ level: 'success', message: t('hosts.testOk', { name: host.name }) });
      } else if (what === 'probe') {
        useHosts.getState().setProbe(host.id, await api.call('host.probe', { host: host.id }));
      } else {
        await api.call('host.remove', { host: host.id });
        toast({ level: 'success', message: t('hosts.removed', { name: host.name }) });
      }
      await useHosts.getState().load();
    } catch (e) {
      toast({ level: 'error', title: host.name, message: errorMessage(e) });
    } finally {
      setBusy(null);
      setConfirmRemove(false);
    }
  };
  const local = host.kind === 'local';
  return (
    <li className={`host-card host-${host.state}`} data-testid={`host-card-${host.name}`} data-state={host.state}>
      <div className="host-card-head">
        <Icon name="server" size={18} />
        <strong className="host-card-name">{local ? t('hosts.thisComputer') : host.name}</strong>
        <span className={`host-state host-state-${host.state}`} data-testid="host-state">
          <span className="dot" aria-hidden="true" />
          {t(`hosts.state.${host.state}`)}
        </span>
      </div>
      <div className="host-card-meta">
        {!local && <code>{`${host.user}@${host.address}:${host.port}`}</code>}
        <span>{t('hosts.vmCount', { count: host.vmCount })}</span>
        {host.fingerprint && (
          <span className="fingerprint" title={t('hosts.pinnedKey')}>
            <Icon name="check" size={12} /> {host.fingerprint}
          </span>
        )}
      </div>
      {host.state !== 'online' && host.stateReason && (
        <p className="host-reason" role="status">
          {host.stateReason}
        </p>
      )}
      {host.needsPassphrase && <PassphraseForm host={host} />}
      {caps && (
        <dl className="host-card-facts" data-testid="host-probe">
          <div>
            <dt>{t('host.qemu')}</dt>
            <dd>{caps.qemu?.version ?? t('hosts.notInstalled')}</dd>
          </div>
          <div>
            <dt>{t('hosts.accel')}</dt>
            <dd>{caps.accel === 'kvm' ? t('host.kvm') : t('host.tcg')}</dd>
          </div>
          <div>
            <dt>{t('host.cpus')}</dt>
            <dd>{caps.cpus}</dd>
          </div>
          <div>
            <dt>{t('host.memory')}</dt>
            <dd>{formatBytes(caps.memoryBytes)}</dd>
          </div>
          <div>
            <dt>{t('host.diskFree')}</dt>
            <dd>{formatBytes(caps.diskFreeBytes)}</dd>
          </div>
        </dl>
      )}
      {caps?.installHint && (
        <p className="host-warning" role="alert">
          {caps.installHint}
        </p>
      )}
      <div className="host-card-actions">
        {!local && (
          <Button icon="plug" busy={busy === 'test'} disabled={busy !== null} onClick={() => void run('test')} data-testid="host-test">
            {t('hosts.test')}
          </Button>
        )}
        {!local && (
          <Button icon="terminal" disabled={host.state !== 'online'} onClick={() => openDetached(hostShellRoute(host.id), `hangar-shell-${host.id}`)} data-testid="host-terminal">
            {t('hosts.terminal')}
          </Button>
        )}
        <Button icon="search" busy={busy === 'probe'} disabled={busy !== null} onClick={() => void run('probe')} data-testid="host-probe-btn">
          {t('hosts.probe')}
        </Button>
        {!local &&
          (confirmRemove ? (
            <span className="host-remove-confirm" role="group" aria-label={t('hosts.removeConfirm', { name: host.name })}>
              <span>{t('hosts.removeConfirm', { name: host.name })}</span>
              <Button onClick={() => setConfirmRemove(false)}>{t('common.cancel')}</Button>
              <Button variant="danger" busy={busy === 'remove'} onClick={() => void run('remove')} data-testid="host-remove-confirm">
                {t('common.remove')}
              </Button>
            </span>
          ) : (
            <Button
              variant="ghost"
              icon="trash"
              disabled={busy !== null || host.vmCount > 0}
              title={host.vmCount > 0 ? t('hosts.removeHasVms') : undefined}
              onClick={() => setConfirmRemove(true)}
              data-testid="host-remove"
            >
              {t('common.remove')}
            </Button>
          ))}
      </div>
    </li>
  );
}

/** The key is encrypted and the engine restarted: ask for the passphrase (used in memory only). */
function PassphraseForm({ host }: { host: HostSummary }) {
  const { t } = useTranslation();
  const [passphrase, setPassphrase] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.call('host.connect', { host: host.id, passphrase });
      await useHosts.getState().load();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <SubmitForm className="host-passphrase" onSubmit={submit}>
      <Field label={t('hosts.passphrase')} hint={t('hosts.passphraseHint')} error={error} testId="host-card-passphrase">
        {(p) => <input {...p} type="password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} autoComplete="off" data-testid="host-card-passphrase" />}
      </Field>
      <Button type="submit" variant="primary" icon="plug" busy={busy} disabled={busy || !passphrase}>
        {t('hosts.connect')}
      </Button>
    </SubmitForm>
  );
}
