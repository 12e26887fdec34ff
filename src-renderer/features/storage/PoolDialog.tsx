import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SubmitForm } from '../../components/SubmitForm';
import { api, ApiError, errorMessage } from '../../api';
import { Button } from '../../components/Button';
import { DialogActions } from '../../components/DialogActions';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { toast } from '../../components/toast-store';
import { NAME_RE } from './storage-logic';

/** Register a folder as a pool (optionally creating it). The engine checks it is a writable folder. */
export function PoolDialog({ onClose }: { onClose(): void }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [folder, setFolder] = useState('');
  const [create, setCreate] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const e: Record<string, string> = {};
    if (!NAME_RE.test(name.trim())) e.name = t('storage.errors.name');
    if (!folder.startsWith('/')) e.path = t('storage.errors.absolute');
    setErrors(e);
    if (Object.keys(e).length) return;
    setBusy(true);
    try {
      await api.call('pool.add', { name: name.trim(), path: folder, create });
      toast({ level: 'success', message: t('storage.done.poolAdd', { name: name.trim() }) });
      onClose();
    } catch (err) {
      const field = err instanceof ApiError ? err.field : null;
      if (field === 'name' || field === 'path') setErrors({ [field]: errorMessage(err) });
      else toast({ level: 'error', message: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={t('storage.dialog.poolAdd')}
      onClose={onClose}
      size="sm"
      testId="pool-dialog"
      footer={
        <DialogActions onCancel={onClose}>
          <Button variant="primary" busy={busy} disabled={busy} onClick={() => void submit()} data-testid="pool-dialog-ok">
            {t('storage.action.poolAdd')}
          </Button>
        </DialogActions>
      }
    >
      <SubmitForm className="storage-form" onSubmit={submit}>
        <Field label={t('storage.fields.name')} error={errors.name ?? null} testId="pool-name">
          {(p) => <input {...p} type="text" value={name} onChange={(e) => setName(e.target.value)} data-testid="pool-name-input" />}
        </Field>
        <Field label={t('storage.fields.folder')} hint={t('storage.hints.folder')} error={errors.path ?? null} testId="pool-path">
          {(p) => <input {...p} type="text" value={folder} onChange={(e) => setFolder(e.target.value)} placeholder="/srv/vm-disks" data-testid="pool-path-input" />}
        </Field>
        <label className="checkbox">
          <input type="checkbox" checked={create} onChange={(e) => setCreate(e.target.checked)} data-testid="pool-create" />
          {t('storage.fields.createFolder')}
        </label>
      </SubmitForm>
    </Dialog>
  );
}
