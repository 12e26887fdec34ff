import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SubmitForm } from '../../components/SubmitForm';
import { api, ApiError, errorMessage } from '../../api';
import { Button } from '../../components/Button';
import { DialogActions } from '../../components/DialogActions';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { toast } from '../../components/toast-store';
import { useUi } from '../../app/ui-store';

/** Import a file by path (Browse… in Electron) or download one by URL; the task panel shows progress. */
export function ImportDialog({ mode, onClose }: { mode: 'file' | 'url'; onClose(): void }) {
  const { t } = useTranslation();
  const [path, setPath] = useState('');
  const [url, setUrl] = useState('');
  const [sha256, setSha256] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [issues, setIssues] = useState<Record<string, string>>({});

  const browse = async () => {
    const file = await api.pickFile?.({ title: t('images.import.pickTitle'), filters: [{ name: t('images.import.filter'), extensions: ['iso', 'qcow2', 'img', 'raw', 'vmdk', 'vdi', 'vhdx', 'vhd'] }] });
    if (file) setPath(file);
  };

  const submit = async () => {
    setBusy(true);
    setIssues({});
    try {
      const common = name.trim() ? { name: name.trim() } : {};
      if (mode === 'file') await api.call('image.import', { path: path.trim(), ...common });
      else await api.call('image.download', { url: url.trim(), ...common, ...(/^[0-9a-f]{64}$/i.test(sha256.trim()) ? { sha256: sha256.trim() } : sha256.trim() ? { sha256SumsUrl: sha256.trim() } : {}) });
      toast({ level: 'info', message: t('images.import.started') });
      useUi.getState().toggleTaskPanel(true);
      onClose();
    } catch (e) {
      const field = e instanceof ApiError ? e.field : null;
      if (field) setIssues({ [field === 'sha256SumsUrl' ? 'sha256' : field]: errorMessage(e) });
      else toast({ level: 'error', message: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      title={mode === 'file' ? t('images.import.fileTitle') : t('images.import.urlTitle')}
      onClose={onClose}
      testId="image-import"
      footer={
        <DialogActions onCancel={onClose} cancelTestId="image-import-cancel">
          <Button variant="primary" busy={busy} disabled={busy || (mode === 'file' ? !path.trim() : !url.trim())} onClick={() => void submit()} data-testid="image-import-ok">
            {mode === 'file' ? t('images.action.import') : t('images.action.download')}
          </Button>
        </DialogActions>
      }
    >
      <SubmitForm className="form-grid" onSubmit={submit}>
        {mode === 'file' ? (
          <Field label={t('images.import.path')} error={issues.path} hint={api.kind === 'browser' ? t('images.import.browserNote') : undefined} testId="image-path">
            {(p) => (
              <div className="input-with-button">
                <input {...p} type="text" value={path} placeholder="/path/to/image.iso" spellCheck={false} onChange={(e) => setPath(e.target.value)} data-testid="image-path" />
                {api.pickFile && (
                  <Button icon="folder" onClick={() => void browse()}>
                    {t('media.browse')}
                  </Button>
                )}
              </div>
            )}
          </Field>
        ) : (
          <>
            <Field label={t('images.import.url')} error={issues.url} testId="image-url">
              {(p) => <input {...p} type="url" value={url} placeholder="https://example.org/debian-12.iso" spellCheck={false} onChange={(e) => setUrl(e.target.value)} data-testid="image-url" />}
            </Field>
            <Field label={t('images.import.checksum')} error={issues.sha256} hint={t('images.import.checksumHint')} testId="image-sha">
              {(p) => <input {...p} type="text" value={sha256} spellCheck={false} onChange={(e) => setSha256(e.target.value)} data-testid="image-sha" />}
            </Field>
          </>
        )}
        <Field label={t('images.import.name')} error={issues.name} hint={t('common.optional')} testId="image-name">
          {(p) => <input {...p} type="text" value={name} spellCheck={false} onChange={(e) => setName(e.target.value)} data-testid="image-name" />}
        </Field>
        <button type="submit" hidden />
      </SubmitForm>
    </Dialog>
  );
}
