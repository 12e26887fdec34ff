import { useEffect, useState, type FormEvent } from 'react';
import { OpsTable } from '../../components/OpsTable';
import { useTranslation } from 'react-i18next';
import type { NetworkInfo } from '../../../src-main/api/contract';
import { ApiError, api, errorMessage } from '../../api';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { Field } from '../../components/Field';
import { Icon } from '../../components/Icon';
import { toast } from '../../components/toast-store';
import { useUi } from '../../app/ui-store';
import { NetworkMembers } from './NetworkMembers';
import { useNetworks } from './store';
import '../schedules/ops.css';
import { PageHeader } from '../../app/pages';

/** Internal networks (who is on each), host bridges (usable or why not), and where NAT forwards live. */
export function NetworksPage() {
  const { t } = useTranslation();
  const { networks, bridges, loaded, loadError, load } = useNetworks();
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <div className="ops-page" data-testid="networks-page">
      <PageHeader icon="network" title={t('networks.title')} hint={t('networks.intro')} />
      {loadError && (
        <p className="field-error" role="alert">
          {loadError} <Button onClick={() => void load()}>{t('common.retry')}</Button>
        </p>
      )}
      <CreateNetworkForm />
      <section aria-labelledby="internal-networks">
        <h2 id="internal-networks">{t('networks.internal')}</h2>
        {!loaded ? (
          <p className="muted">{t('app.loading')}</p>
        ) : networks.length === 0 ? (
          <EmptyState title={t('networks.emptyTitle')} testId="networks-empty">
            <p className="muted">{t('networks.emptyText')}</p>
          </EmptyState>
        ) : (
          <OpsTable testId="networks-table" columns={[t('networks.name'), t('networks.members'), t('networks.endpoint'), { hidden: t('networks.actions') }]}>
            {networks.map((n) => (
              <NetworkRow key={n.id} net={n} />
            ))}
          </OpsTable>
        )}
      </section>
      <section aria-labelledby="host-bridges" data-testid="bridges">
        <h2 id="host-bridges">{t('networks.bridges')}</h2>
        <p className="ops-hint">{t('networks.bridgesIntro')}</p>
        {bridges && (
          <>
            <p className="muted small">{bridges.helper ? t('networks.helper', { path: bridges.helper }) : t('networks.noHelper')}</p>
            {bridges.bridges.length === 0 ? (
              <p className="muted">{t('networks.noBridges')}</p>
            ) : (
              bridges.bridges.map((b) => (
                <div key={b.name} className="ops-bridge" data-testid={`bridge-${b.name}`}>
                  <Icon name={b.usable ? 'check' : 'warning'} size={16} />
                  <strong>{b.name}</strong>
                  <span className={b.usable ? 'muted' : 'field-error'}>{b.usable ? t('networks.bridgeUsable') : b.reason}</span>
                </div>
              ))
            )}
          </>
        )}
      </section>
      <section aria-labelledby="nat-help">
        <h2 id="nat-help">{t('networks.nat')}</h2>
        <p className="ops-hint">{t('networks.natIntro')}</p>
      </section>
    </div>
  );
}

function NetworkRow({ net }: { net: NetworkInfo }) {
  const { t } = useTranslation();
  const openDialog = useUi((s) => s.openDialog);
  const inUse = net.members.length > 0;
  const remove = () =>
    openDialog({
      kind: 'confirm',
      title: t('networks.deleteTitle', { name: net.name }),
      message: t('networks.deleteText'),
      confirmLabel: t('networks.delete'),
      onConfirm: () => {
        api.call('network.delete', { network: net.id }).then(
          () => toast({ level: 'success', message: t('networks.deleted', { name: net.name }) }),
          (e: unknown) => toast({ level: 'error', message: errorMessage(e) }),
        );
      },
    });
  return (
    <tr data-testid={`network-${net.name}`}>
      <td>
        <strong>{net.name}</strong>
        {net.description && <span className="ops-sub">{net.description}</span>}
      </td>
      <td>
        <NetworkMembers net={net} />
      </td>
      <td>
        <code>
          {net.mcastGroup}:{net.mcastPort}
        </code>
      </td>
      <td className="ops-actions">
        <Button variant="danger" icon="trash" disabled={inUse} title={inUse ? t('networks.inUse') : undefined} onClick={remove} aria-label={t('networks.deleteTitle', { name: net.name })} data-testid={`network-delete-${net.name}`}>
          {t('networks.delete')}
        </Button>
      </td>
    </tr>
  );
}

function CreateNetworkForm() {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setBusy(true);
    try {
      const n = await api.call('network.create', { name: name.trim(), description });
      toast({ level: 'success', message: t('networks.created', { name: n.name }) });
      setName('');
      setDescription('');
      setError(null);
    } catch (e) {
      if (e instanceof ApiError && e.field === 'name') setError(e.message);
      else toast({ level: 'error', message: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="ops-form" onSubmit={(e) => void submit(e)} aria-label={t('networks.create')} data-testid="network-form">
      <Field label={t('networks.name')} error={error} testId="network-name">
        {(p) => <input {...p} type="text" value={name} onChange={(e) => setName(e.target.value)} placeholder="lab" required data-testid="network-name" />}
      </Field>
      <Field label={t('networks.description')}>{(p) => <input {...p} type="text" value={description} onChange={(e) => setDescription(e.target.value)} />}</Field>
      <div className="ops-form-actions">
        <Button type="submit" variant="primary" icon="plus" busy={busy} disabled={!name.trim()} data-testid="network-create">
          {t('networks.create')}
        </Button>
      </div>
    </form>
  );
}
