import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SubmitForm } from '../../components/SubmitForm';
import { useApplianceImport } from './import-store';
import type { ApplianceReview } from '../../../src-main/api/contract';
import { formatBytes, MiB } from '../../../src-main/shared/units';
import { api, ApiError, errorMessage } from '../../api';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { Icon } from '../../components/Icon';
import { ProgressBar } from '../../components/ProgressBar';
import { toast } from '../../components/toast-store';
import { useTasks } from '../tasks/store';

/**
 * Import an appliance (OVA, OVF or Hangar bundle) in three steps: the path; the review (what will
 * be created, and each part of the appliance that is left out or changed, one per line) where
 * nothing exists yet; then the import task's progress, in the dialog.
 */

export function ImportApplianceDialog() {
  const { t } = useTranslation();
  const close = () => useApplianceImport.getState().show(false);
  const [path, setPath] = useState('');
  const [review, setReview] = useState<ApplianceReview | null>(null);
  const [name, setName] = useState('');
  const [taskId, setTaskId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [issues, setIssues] = useState<Record<string, string>>({});
  const task = useTasks((s) => (taskId ? s.tasks.find((x) => x.id === taskId) : undefined));

  const fail = (e: unknown) => {
    const field = e instanceof ApiError ? e.field : null;
    if (field) setIssues({ [field]: errorMessage(e) });
    else toast({ level: 'error', message: errorMessage(e) });
  };

  const inspect = async () => {
    setBusy(true);
    setIssues({});
    try {
      const r = await api.call('appliance.inspect', { path: path.trim() });
      setReview(r);
      setName(r.name);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const start = async () => {
    if (!review) return;
    setBusy(true);
    setIssues({});
    try {
      const { task: started } = await api.call('appliance.import', { path: review.path, ...(name.trim() && name.trim() !== review.name ? { name: name.trim() } : {}) });
      useTasks.getState().apply(started);
      setTaskId(started.id);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };

  const step = taskId ? 'progress' : review ? 'review' : 'path';
  const done = task && task.state !== 'running';
  const footer = (
    <>
      <span className="footer-spacer" />
      {step === 'review' && (
        <Button onClick={() => setReview(null)} data-testid="appliance-back">
          {t('appliances.back')}
        </Button>
      )}
      <Button onClick={close} data-testid="appliance-close">
        {done ? t('appliances.close') : t('common.cancel')}
      </Button>
      {step === 'path' && (
        <Button variant="primary" busy={busy} disabled={busy || !path.trim()} onClick={() => void inspect()} data-testid="appliance-review">
          {t('appliances.reviewAction')}
        </Button>
      )}
      {step === 'review' && (
        <Button variant="primary" busy={busy} disabled={busy || !name.trim()} onClick={() => void start()} data-testid="appliance-import">
          {t('appliances.importAction')}
        </Button>
      )}
      {step === 'progress' && task?.state === 'running' && task.cancellable && (
        <Button onClick={() => void useTasks.getState().cancel(task.id)} data-testid="appliance-cancel">
          {t('appliances.cancelImport')}
        </Button>
      )}
    </>
  );

  return (
    <Dialog title={t('appliances.importTitle')} onClose={close} testId="appliance-dialog" footer={footer}>
      {step === 'path' && (
        <SubmitForm className="form-grid" onSubmit={inspect}>
          <Field label={t('appliances.path')} error={issues.path} hint={t('appliances.pathHint')} testId="appliance-path">
            {(p) => <input {...p} type="text" value={path} placeholder="/path/to/appliance.ova" spellCheck={false} onChange={(e) => setPath(e.target.value)} data-testid="appliance-path" />}
          </Field>
          <button type="submit" hidden />
        </SubmitForm>
      )}
      {step === 'review' && review && (
        <div className="form-grid" data-testid="appliance-review-screen">
          <p>{t('appliances.reviewIntro', { kind: review.kind.toUpperCase(), producer: review.producer ?? t('appliances.unknownProducer') })}</p>
          <Field label={t('appliances.name')} error={issues.name} testId="appliance-name">
            {(p) => <input {...p} type="text" value={name} spellCheck={false} onChange={(e) => setName(e.target.value)} data-testid="appliance-name" />}
          </Field>
          <dl className="summary" data-testid="appliance-summary">
            {[
              [t('fields.cpus'), String(review.cpus)],
              [t('fields.memory'), formatBytes(review.memoryMiB * MiB)],
              [t('appliances.firmware'), `${review.firmware === 'uefi' ? 'UEFI' : 'BIOS'} · ${review.machine}`],
              [t('appliances.os'), `${review.os.family}${review.os.osinfo ? ` (${review.os.osinfo})` : ''}${review.os.declared ? ` — ${review.os.declared}` : ''}`],
              ...review.disks.map((d, i) => [t('appliances.disk', { n: i + 1 }), `${d.file} · ${d.format} · ${d.capacityBytes ? formatBytes(d.capacityBytes) : formatBytes(d.fileBytes)} · ${d.bus}`]),
              ...review.nics.map((n, i) => [t('appliances.nic', { n: i + 1 }), `${n.model} (${n.declared})`]),
              [t('appliances.manifest'), review.manifest ? t('appliances.manifestYes', { alg: review.manifest.algorithm, count: review.manifest.files }) : t('appliances.manifestNo')],
            ].map(([k, v]) => (
              <div key={k} className="detail-row">
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
          {review.notes.length > 0 ? (
            <div className="callout callout-warning" data-testid="appliance-notes">
              <Icon name="warning" />
              <div>
                <p>{t('appliances.notesTitle', { count: review.notes.length })}</p>
                <ul>
                  {review.notes.map((n) => (
                    <li key={`${n.item}-${n.reason}`} data-testid="appliance-note">
                      <strong>{n.item}</strong>: {n.action === 'dropped' ? t('appliances.dropped') : t('appliances.changed')} {n.reason}
                    </li>
                  ))}
                </ul>
              </div>
            </div>
          ) : (
            <p data-testid="appliance-all-supported">{t('appliances.allSupported')}</p>
          )}
        </div>
      )}
      {step === 'progress' && (
        <div className="form-grid" data-testid="appliance-progress">
          <p>{task?.message ?? t('appliances.starting')}</p>
          <ProgressBar value={task?.state === 'succeeded' ? 1 : (task?.progress ?? null)} label={t('appliances.importTitle')} />
          {task?.state === 'succeeded' && <p data-testid="appliance-done">{t('appliances.done', { name: String(task.result?.vmName ?? name) })}</p>}
          {task && (task.state === 'failed' || task.state === 'cancelled') && (
            <div className="callout callout-error" role="alert" data-testid="appliance-error">
              <Icon name="error" />
              <div>{task.error?.message ?? task.state}</div>
            </div>
          )}
        </div>
      )}
    </Dialog>
  );
}
