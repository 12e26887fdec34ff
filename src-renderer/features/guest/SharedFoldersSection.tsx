import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SharesInfo, VmInfo } from '../../../src-main/api/contract';
import { api, errorMessage } from '../../api';
import { Button } from '../../components/Button';
import { toast } from '../../components/toast-store';
import './guest.css';

/** Settings → "Shared folders": host folders shared over virtio-9p, with the mount command for the guest. */
export function SharedFoldersSection({ vm, editable }: { vm: VmInfo; editable: boolean }) {
  const { t } = useTranslation();
  const [info, setInfo] = useState<SharesInfo | null>(null);
  const [dir, setDir] = useState('');
  const [tag, setTag] = useState('');
  const [readOnly, setReadOnly] = useState(false);
  const [force9p, setForce9p] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void api.call('guest.shares', { vm: vm.id }).then(setInfo, (e: unknown) => toast({ level: 'error', message: errorMessage(e) }));
  }, [vm.id]);

  const run = async (fn: () => Promise<SharesInfo>) => {
    setBusy(true);
    try {
      setInfo(await fn());
      return true;
    } catch (e) {
      toast({ level: 'error', message: errorMessage(e) });
      return false;
    } finally {
      setBusy(false);
    }
  };
  const add = async () => {
    if (await run(() => api.call('guest.share', { vm: vm.id, path: dir.trim(), tag: tag.trim(), readOnly, transport: force9p ? '9p' : 'auto' }))) {
      setDir('');
      setTag('');
      setReadOnly(false);
      setForce9p(false);
    }
  };

  return (
    <div className="shares" data-testid="settings-shares">
      <p className="muted">{t('shares.intro')}</p>
      {info && info.shares.length === 0 && <p data-testid="shares-empty">{t('shares.empty')}</p>}
      {info?.shares.map((s) => (
        <div key={s.tag} className="share-row" data-testid={`share-${s.tag}`}>
          <div>
            <strong>{s.tag}</strong> <code className="path">{s.path}</code> <span className="muted">{s.readOnly ? t('shares.readOnly') : t('shares.readWrite')}</span>{' '}
            <span className="muted" data-testid={`share-transport-${s.tag}`}>{t(s.transport === 'virtiofs' ? 'shares.transport_virtiofs' : 'shares.transport_9p')}</span>
          </div>
          <div className="muted">{t('shares.mountHint')}</div>
          <code className="path pre-wrap" data-testid={`share-mount-${s.tag}`}>
            {s.mountCommand}
          </code>
          <div>
            <Button onClick={() => void navigator.clipboard?.writeText(s.mountCommand).then(() => toast({ level: 'success', message: t('shares.copied') }))}>{t('shares.copy')}</Button>{' '}
            <Button disabled={!editable || busy} onClick={() => void run(() => api.call('guest.unshare', { vm: vm.id, tag: s.tag }))} data-testid={`share-remove-${s.tag}`}>
              {t('shares.remove')}
            </Button>
          </div>
        </div>
      ))}
      <fieldset className="plain-fieldset share-add" disabled={!editable || busy}>
        <label>
          {t('shares.folder')}
          <input value={dir} onChange={(e) => setDir(e.target.value)} placeholder="/home/me/shared" data-testid="share-path" />
        </label>
        <label>
          {t('shares.tag')}
          <input value={tag} onChange={(e) => setTag(e.target.value)} placeholder="shared" data-testid="share-tag" />
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={readOnly} onChange={(e) => setReadOnly(e.target.checked)} data-testid="share-readonly" />
          {t('shares.readOnly')}
        </label>
        {info?.virtiofsUsable && (
          <label className="checkbox" title={t('shares.force9pHint')}>
            <input type="checkbox" checked={force9p} onChange={(e) => setForce9p(e.target.checked)} data-testid="share-force9p" />
            {t('shares.force9p')}
          </label>
        )}
        <Button onClick={() => void add()} disabled={!dir.trim() || !tag.trim()} data-testid="share-add">
          {t('shares.add')}
        </Button>
      </fieldset>
      {info && <p className="muted">{info.transportNote}</p>}
    </div>
  );
}
