import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api';
import { Field } from '../../components/Field';
import type { FormApi } from '../wizard/form-api';
import { hostnameFrom, type CloudDraft } from './cloud-logic';
import './cloudinit.css';

type PubKey = { file: string; key: string; comment: string };

/** The wizard's cloud-init step: user, keys (from ~/.ssh/*.pub or pasted), host name, password, packages, YAML. */
export function CloudInitFields({ form }: { form: FormApi }) {
  const { t } = useTranslation();
  const c = form.draft.cloud;
  const [keys, setKeys] = useState<PubKey[] | null>(null);
  useEffect(() => {
    api.call('cloudinit.sshKeys', {}).then(setKeys, () => setKeys([]));
  }, []);
  // the host name follows the VM name until the user types one
  useEffect(() => {
    if (c && !c.hostname && form.draft.name) form.set({ cloud: { ...c, hostname: hostnameFrom(form.draft.name) } });
  }, []);
  if (!c) return null;
  const set = (patch: Partial<CloudDraft>) => form.set({ cloud: { ...c, ...patch } });
  const togglePicked = (key: string, on: boolean) => set({ pickedKeys: on ? [...c.pickedKeys, key] : c.pickedKeys.filter((k) => k !== key) });
  return (
    <div className="form-grid cloud-fields">
      <div className="form-row">
        <Field label={t('cloud.user')} hint={t('cloud.userHint')} error={form.error('cloudInit.user')} testId="cloud-user">
          {(p) => <input {...p} value={c.user} autoComplete="off" spellCheck={false} onChange={(e) => set({ user: e.target.value })} data-testid="cloud-user" />}
        </Field>
        <Field label={t('cloud.hostname')} error={form.error('cloudInit.hostname')} testId="cloud-hostname">
          {(p) => <input {...p} value={c.hostname} spellCheck={false} onChange={(e) => set({ hostname: e.target.value })} data-testid="cloud-hostname" />}
        </Field>
      </div>
      <fieldset className="cloud-keys">
        <legend className="field-label">{t('cloud.keys')}</legend>
        {keys === null ? (
          <p className="field-hint">{t('cloud.keysLoading')}</p>
        ) : keys.length === 0 ? (
          <p className="field-hint" data-testid="cloud-keys-empty">{t('cloud.keysNone')}</p>
        ) : (
          keys.map((k) => (
            <label key={k.file} className="check-row">
              <input type="checkbox" checked={c.pickedKeys.includes(k.key)} onChange={(e) => togglePicked(k.key, e.target.checked)} data-testid="cloud-key-pick" />
              <span className="mono">{k.file}</span> <span className="muted">{k.comment}</span>
            </label>
          ))
        )}
      </fieldset>
      <Field label={t('cloud.pasteKeys')} hint={t('cloud.pasteKeysHint')} error={form.error('cloudInit.sshKeys')} testId="cloud-keys">
        {(p) => <textarea {...p} rows={2} className="mono" spellCheck={false} value={c.pastedKeys} onChange={(e) => set({ pastedKeys: e.target.value })} data-testid="cloud-keys-paste" />}
      </Field>
      <div className="form-row">
        <Field label={t('cloud.password')} hint={t('cloud.passwordHint')}>
          {(p) => <input {...p} type="password" autoComplete="new-password" value={c.password} onChange={(e) => set({ password: e.target.value })} data-testid="cloud-password" />}
        </Field>
        <Field label={t('cloud.timezone')} hint={t('cloud.timezoneHint')}>
          {(p) => <input {...p} value={c.timezone} placeholder="UTC" spellCheck={false} onChange={(e) => set({ timezone: e.target.value })} data-testid="cloud-timezone" />}
        </Field>
      </div>
      <Field label={t('cloud.packages')} hint={t('cloud.packagesHint')}>
        {(p) => <input {...p} value={c.packages} spellCheck={false} placeholder="curl, htop" onChange={(e) => set({ packages: e.target.value })} data-testid="cloud-packages" />}
      </Field>
      <Field label={t('cloud.userData')} hint={t('cloud.userDataHint')} error={form.error('cloudInit.userData')} testId="cloud-user-data">
        {(p) => <textarea {...p} rows={5} className="mono" spellCheck={false} placeholder={'runcmd:\n  - echo hello'} value={c.userData} onChange={(e) => set({ userData: e.target.value })} data-testid="cloud-user-data" />}
      </Field>
      <Field label={t('cloud.networkConfig')} hint={t('cloud.networkConfigHint')} error={form.error('cloudInit.networkConfig')} testId="cloud-network-config">
        {(p) => <textarea {...p} rows={3} className="mono" spellCheck={false} value={c.networkConfig} onChange={(e) => set({ networkConfig: e.target.value })} data-testid="cloud-network-config" />}
      </Field>
    </div>
  );
}
