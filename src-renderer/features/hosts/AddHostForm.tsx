import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SubmitForm } from '../../components/SubmitForm';
import type { MethodInput } from '../../../src-main/api/contract';
import { ApiError, api, errorMessage } from '../../api';
import { Button } from '../../components/Button';
import { Field } from '../../components/Field';
import { Icon } from '../../components/Icon';
import { toast } from '../../components/toast-store';
import { useHosts } from './store';

/** Fields of this form: an engine error blaming one of them shows under it; others become a toast. */
const FORM_FIELDS = new Set(['name', 'address', 'user', 'port', 'keyPath', 'passphrase']);

type Step = { kind: 'form' } | { kind: 'confirm'; fingerprint: string; keyType: string };

/**
 * Add a LAN host in two steps, like `ssh` on first contact: the engine fetches the host key
 * fingerprint, the user checks and accepts it, then the engine logs in and pins it.
 */
export function AddHostForm({ onDone }: { onDone(): void }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [address, setAddress] = useState('');
  const [user, setUser] = useState('root');
  const [port, setPort] = useState('22');
  const [keyPath, setKeyPath] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [needsPassphrase, setNeedsPassphrase] = useState(false);
  const [step, setStep] = useState<Step>({ kind: 'form' });
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});

  const input = (): MethodInput<'host.add'> => ({
    name: name.trim(),
    address: address.trim(),
    user: user.trim(),
    port: Number(port),
    ...(keyPath.trim() ? { keyPath: keyPath.trim() } : {}),
    ...(needsPassphrase && passphrase ? { passphrase } : {}),
  });

  const fail = (e: unknown) => {
    if (e instanceof ApiError && e.details?.needsPassphrase) setNeedsPassphrase(true);
    if (e instanceof ApiError && e.field && FORM_FIELDS.has(e.field)) setErrors({ [e.field]: e.message });
    else toast({ level: 'error', title: t('hosts.addFailed'), message: errorMessage(e) });
  };

  const submit = async () => {
    setBusy(true);
    setErrors({});
    try {
      if (step.kind === 'form') {
        const r = await api.call('host.add', input());
        if (r.needsConfirmation) setStep({ kind: 'confirm', fingerprint: r.fingerprint, keyType: r.keyType });
        return;
      }
      const r = await api.call('host.add', { ...input(), acceptFingerprint: step.fingerprint });
      if (!r.needsConfirmation) {
        useHosts.getState().setProbe(r.host.id, r.capabilities);
        await useHosts.getState().load();
        toast({ level: 'success', message: t('hosts.added', { name: r.host.name }) });
        onDone();
      }
    } catch (e) {
      fail(e);
      // back to the fields when one of them is at fault (the key file, the user...), or the key changed in between
      if (e instanceof ApiError && e.field && step.kind === 'confirm' && e.field !== 'passphrase') setStep({ kind: 'form' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <SubmitForm className="host-add" data-testid="host-add-form" aria-label={t('hosts.addTitle')} onSubmit={submit}>
      <h3>{t('hosts.addTitle')}</h3>
      {step.kind === 'form' ? (
        <div className="host-add-grid">
          <Field label={t('hosts.name')} error={errors.name ?? null} testId="host-name">
            {(p) => <input {...p} type="text" value={name} onChange={(e) => setName(e.target.value)} placeholder="workshop" data-testid="host-name" required />}
          </Field>
          <Field label={t('hosts.address')} hint={t('hosts.addressHint')} error={errors.address ?? null} testId="host-address">
            {(p) => <input {...p} type="text" value={address} onChange={(e) => setAddress(e.target.value)} placeholder="192.168.1.20" data-testid="host-address" required />}
          </Field>
          <Field label={t('hosts.user')} error={errors.user ?? null} testId="host-user">
            {(p) => <input {...p} type="text" value={user} onChange={(e) => setUser(e.target.value)} data-testid="host-user" required />}
          </Field>
          <Field label={t('hosts.port')} error={errors.port ?? null} testId="host-port">
            {(p) => <input {...p} type="text" value={port} onChange={(e) => setPort(e.target.value.replace(/\D/g, ''))} inputMode="numeric" data-testid="host-port" />}
          </Field>
          <Field label={t('hosts.keyPath')} hint={t('hosts.keyPathHint')} error={errors.keyPath ?? null} testId="host-key" className="span-2">
            {(p) => <input {...p} type="text" value={keyPath} onChange={(e) => setKeyPath(e.target.value)} placeholder="/home/me/.ssh/id_ed25519" data-testid="host-key" />}
          </Field>
        </div>
      ) : (
        <div className="callout callout-warning host-fingerprint" role="alert" data-testid="host-fingerprint-confirm">
          <Icon name="warning" size={20} />
          <div>
            <p>{t('hosts.confirmIntro', { address: address.trim(), type: step.keyType })}</p>
            <code className="fingerprint" data-testid="host-fingerprint">
              {step.fingerprint}
            </code>
            <p className="muted">{t('hosts.confirmHow')}</p>
          </div>
        </div>
      )}
      {needsPassphrase && (
        <Field label={t('hosts.passphrase')} hint={t('hosts.passphraseHint')} error={errors.passphrase ?? null} testId="host-passphrase">
          {(p) => <input {...p} type="password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} autoComplete="off" data-testid="host-passphrase" />}
        </Field>
      )}
      <div className="host-add-actions">
        {step.kind === 'confirm' && (
          <Button onClick={() => setStep({ kind: 'form' })} disabled={busy}>
            {t('hosts.back')}
          </Button>
        )}
        <span className="footer-spacer" />
        <Button type="button" onClick={onDone} disabled={busy}>
          {t('common.cancel')}
        </Button>
        <Button type="submit" variant="primary" icon={step.kind === 'confirm' ? 'check' : 'plug'} busy={busy} disabled={busy || !name.trim() || !address.trim() || !user.trim()} data-testid="host-add-submit">
          {step.kind === 'confirm' ? t('hosts.acceptAndAdd') : t('hosts.connect')}
        </Button>
      </div>
    </SubmitForm>
  );
}
