import { useState } from 'react';
import { OptionList } from '../../components/OptionList';
import { useTranslation } from 'react-i18next';
import { SubmitForm } from '../../components/SubmitForm';
import type { PoolInfo, VolumeInfo } from '../../../src-main/api/contract';
import { formatBytes, MiB, parseSize } from '../../../src-main/shared/units';
import { api, ApiError, errorMessage } from '../../api';
import { Button } from '../../components/Button';
import { DialogActions } from '../../components/DialogActions';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { toast } from '../../components/toast-store';
import { NAME_RE } from './storage-logic';

export type VolumeDialogMode = 'create' | 'resize' | 'clone' | 'rename' | 'delete';

/** Create / resize / clone / rename / delete a volume: one dialog, the fields its mode needs. */
export function VolumeDialog({ mode, volume, pools, onClose }: { mode: VolumeDialogMode; volume: VolumeInfo | null; pools: PoolInfo[]; onClose(): void }) {
  const { t } = useTranslation();
  const [name, setName] = useState(mode === 'clone' && volume ? `${volume.name}-copy` : mode === 'rename' && volume ? volume.name : '');
  const [size, setSize] = useState(mode === 'resize' && volume ? `${Math.ceil(volume.virtualBytes / MiB)}M` : '10G');
  const [format, setFormat] = useState<'qcow2' | 'raw'>('qcow2');
  const [pool, setPool] = useState(volume?.poolId ?? pools.find((p) => p.isDefault)?.id ?? pools[0]?.id ?? '');
  const [confirmText, setConfirmText] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const needsName = mode === 'create' || mode === 'clone' || mode === 'rename';
  const needsSize = mode === 'create' || mode === 'resize';

  const validate = (): Record<string, string> => {
    const e: Record<string, string> = {};
    if (needsName && !NAME_RE.test(name.trim())) e.name = t('storage.errors.name');
    if (needsSize) {
      try {
        const bytes = parseSize(size);
        if (mode === 'resize' && volume && bytes < volume.virtualBytes) e.size = t('storage.errors.shrink', { size: formatBytes(volume.virtualBytes) });
      } catch {
        e.size = t('storage.errors.size');
      }
    }
    if (mode === 'delete' && volume && confirmText !== volume.name) e.confirm = t('storage.errors.typeName', { name: volume.name });
    return e;
  };

  const submit = async () => {
    const e = validate();
    setErrors(e);
    if (Object.keys(e).length > 0) return;
    setBusy(true);
    try {
      if (mode === 'create') await api.call('volume.create', { name: name.trim(), size, format, pool });
      else if (mode === 'resize' && volume) await api.call('volume.resize', { volume: volume.id, size });
      else if (mode === 'clone' && volume) await api.call('volume.clone', { volume: volume.id, name: name.trim(), pool });
      else if (mode === 'rename' && volume) await api.call('volume.rename', { volume: volume.id, name: name.trim() });
      else if (mode === 'delete' && volume) await api.call('volume.delete', { volume: volume.id, confirm: true });
      toast({ level: 'success', message: t(`storage.done.${mode}`, { name: needsName ? name.trim() : (volume?.name ?? '') }) });
      onClose();
    } catch (err) {
      const field = err instanceof ApiError ? err.field : null;
      if (field === 'name' || field === 'size') setErrors({ [field]: errorMessage(err) });
      else toast({ level: 'error', message: errorMessage(err) });
    } finally {
      setBusy(false);
    }
  };

  const title = t(`storage.dialog.${mode}`, { name: volume?.name ?? '' });
  return (
    <Dialog
      title={title}
      onClose={onClose}
      size="sm"
      testId={`volume-dialog-${mode}`}
      footer={
        <DialogActions onCancel={onClose}>
          <Button variant={mode === 'delete' ? 'danger' : 'primary'} busy={busy} disabled={busy} onClick={() => void submit()} data-testid="volume-dialog-ok">
            {t(`storage.action.${mode}`)}
          </Button>
        </DialogActions>
      }
    >
      <SubmitForm className="storage-form" onSubmit={submit}>
        {mode === 'delete' && volume && (
          <>
            <p>{t('storage.deleteWarning', { name: volume.name, path: volume.path })}</p>
            <Field label={t('storage.fields.typeName', { name: volume.name })} error={errors.confirm ?? null} testId="volume-confirm">
              {(p) => <input {...p} type="text" value={confirmText} onChange={(e) => setConfirmText(e.target.value)} data-testid="volume-confirm-input" autoComplete="off" />}
            </Field>
          </>
        )}
        {needsName && (
          <Field label={t('storage.fields.name')} error={errors.name ?? null} testId="volume-name">
            {(p) => <input {...p} type="text" value={name} onChange={(e) => setName(e.target.value)} data-testid="volume-name-input" maxLength={64} />}
          </Field>
        )}
        {needsSize && (
          <Field label={t('storage.fields.size')} hint={mode === 'resize' ? t('storage.hints.growOnly') : t('storage.hints.size')} error={errors.size ?? null} testId="volume-size">
            {(p) => <input {...p} type="text" value={size} onChange={(e) => setSize(e.target.value)} data-testid="volume-size-input" />}
          </Field>
        )}
        {mode === 'create' && (
          <Field label={t('storage.fields.format')} hint={format === 'qcow2' ? t('disk.qcow2Hint') : t('disk.rawHint')}>
            {(p) => (
              <select {...p} value={format} onChange={(e) => setFormat(e.target.value as 'qcow2' | 'raw')} data-testid="volume-format">
                <option value="qcow2">qcow2</option>
                <option value="raw">raw</option>
              </select>
            )}
          </Field>
        )}
        {(mode === 'create' || mode === 'clone') && pools.length > 1 && (
          <Field label={t('storage.fields.pool')}>
            {(p) => (
              <select {...p} value={pool} onChange={(e) => setPool(e.target.value)} data-testid="volume-pool">
                <OptionList items={pools} value={(x) => x.id} label={(x) => x.name} />
              </select>
            )}
          </Field>
        )}
      </SubmitForm>
    </Dialog>
  );
}
