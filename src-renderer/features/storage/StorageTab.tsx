import { useEffect, useState } from 'react';
import { OptionList } from '../../components/OptionList';
import { OpsTable } from '../../components/OpsTable';
import { useTranslation } from 'react-i18next';
import type { DISK_BUSES, VmInfo } from '../../../src-main/api/contract';
import { api, errorMessage } from '../../api';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/EmptyState';
import { Icon } from '../../components/Icon';
import { toast } from '../../components/toast-store';
import { useStorage } from './store';
import './storage.css';
import { DiskSize, MediumName, useDiskFacts } from '../machines/disk-facts';

type Bus = (typeof DISK_BUSES)[number];
const BUSES: Bus[] = ['virtio', 'sata', 'scsi', 'ide'];

/** ISOs of the image library, when the engine has one (an optional hook: none → type a path). */
function useLibraryIsos(): Array<{ name: string; path: string }> {
  const [isos, setIsos] = useState<Array<{ name: string; path: string }>>([]);
  useEffect(() => {
    let live = true;
    api.call('image.list', {}).then(
      (images) => live && setIsos(images.filter((i) => i.format === 'iso').map((i) => ({ name: i.name, path: i.path }))),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  return isos;
}

async function run(action: () => Promise<unknown>, success: string): Promise<boolean> {
  try {
    await action();
    toast({ level: 'success', message: success });
    return true;
  } catch (e) {
    toast({ level: 'error', message: errorMessage(e) });
    return false;
  }
}

/** The VM's disks and CD-ROM: attach (hot-plug when running), detach, eject and insert ISOs. */
export function StorageTab({ vm }: { vm: VmInfo }) {
  const { t } = useTranslation();
  const volumes = useStorage((s) => s.volumes);
  const load = useStorage((s) => s.load);
  const isos = useLibraryIsos();
  const facts = useDiskFacts(vm);
  const [pick, setPick] = useState('');
  const [bus, setBus] = useState<Bus>('virtio');
  const [iso, setIso] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  useEffect(() => {
    void load();
  }, [load]);

  const live = vm.state === 'running' || vm.state === 'paused';
  const transitional = vm.state === 'starting' || vm.state === 'stopping';
  const free = volumes.filter((v) => !v.attachedTo && v.hostId === vm.hostId);
  const byPath = new Map(volumes.map((v) => [v.path, v]));
  const guard = async (key: string, fn: () => Promise<unknown>, msg: string) => {
    setBusy(key);
    const ok = await run(fn, msg);
    setBusy(null);
    return ok;
  };

  return (
    <div className="storage-tab" data-testid="vm-storage">
      <section className="detail-section" aria-label={t('storage.disks')}>
        <h3>
          <Icon name="disk" size={16} />
          {t('storage.disks')}
        </h3>
        {vm.spec.disks.length === 0 ? (
          <p className="muted">{t('storage.noDisks')}</p>
        ) : (
          <OpsTable className="data-table compact" columns={[t('storage.col.name'), t('storage.col.format'), t('storage.col.bus'), { hidden: t('storage.col.actions') }]}>
            {vm.spec.disks.map((d) => {
              const vol = byPath.get(d.path);
              return (
                <tr key={d.id} data-testid={`vm-disk-${d.id}`}>
                  <td>
                    <strong>{vol ? vol.name : d.id}</strong>
                    {d.readOnly && <span className="chip">{t('storage.readOnly')}</span>}
                    <DiskSize facts={facts.get(d.id)} testId={`storage-disk-size-${d.id}`} />
                    <div>
                      <code className="path">{d.path}</code>
                    </div>
                  </td>
                  <td>{d.format}</td>
                  <td>{d.bus}</td>
                  <td className="row-actions">
                    {vol ? (
                      <Button
                        variant="ghost"
                        icon="minus"
                        disabled={transitional || busy !== null}
                        busy={busy === `detach-${d.id}`}
                        onClick={() => void guard(`detach-${d.id}`, () => api.call('volume.detach', { volume: vol.id, vm: vm.id }), t('storage.done.detach', { name: vol.name }))}
                        data-testid={`detach-${vol.name}`}
                      >
                        {live ? t('storage.action.unplug') : t('storage.action.detach')}
                      </Button>
                    ) : (
                      <span className="muted small">{t('storage.vmOwned')}</span>
                    )}
                  </td>
                </tr>
              );
            })}
          </OpsTable>
        )}
        <div className="inline-form">
          <select value={pick} onChange={(e) => setPick(e.target.value)} aria-label={t('storage.chooseVolume')} data-testid="attach-volume">
            <option value="">{free.length ? t('storage.chooseVolume') : t('storage.noFreeVolumes')}</option>
            {free.map((v) => (
              <option key={v.id} value={v.id}>
                {v.name} ({v.format})
              </option>
            ))}
          </select>
          <select value={live ? 'virtio' : bus} disabled={live} onChange={(e) => setBus(e.target.value as Bus)} aria-label={t('storage.col.bus')} data-testid="attach-bus" title={live ? t('storage.hotplugVirtio') : undefined}>
            {BUSES.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
          <Button
            icon="plus"
            disabled={!pick || transitional || busy !== null}
            busy={busy === 'attach'}
            onClick={() =>
              void guard('attach', () => api.call('volume.attach', { volume: pick, vm: vm.id, bus: live ? 'virtio' : bus }), t('storage.done.attach')).then((ok) => ok && setPick(''))
            }
            data-testid="attach-button"
          >
            {live ? t('storage.action.hotplug') : t('storage.action.attach')}
          </Button>
        </div>
        {live && <p className="muted small">{t('storage.hotplugHint')}</p>}
      </section>

      <section className="detail-section" aria-label={t('storage.cdrom')}>
        <h3>
          <Icon name="disc" size={16} />
          {t('storage.cdrom')}
        </h3>
        {vm.spec.cdrom ? (
          <div className="inline-form">
            <MediumName path={vm.spec.cdrom} facts={facts.get('cdrom')} testId="cdrom-path" />
            <Button icon="external" disabled={transitional || busy !== null} busy={busy === 'eject'} onClick={() => void guard('eject', () => api.call('vm.cdrom.eject', { vm: vm.id }), t('storage.done.eject'))} data-testid="cdrom-eject">
              {t('storage.action.eject')}
            </Button>
          </div>
        ) : (
          <p className="muted" data-testid="cdrom-empty">
            {t('storage.cdromEmpty')}
          </p>
        )}
        <div className="inline-form">
          {isos.length > 0 && (
            <select value="" onChange={(e) => setIso(e.target.value)} aria-label={t('storage.fromLibrary')} data-testid="cdrom-library">
              <option value="">{t('storage.fromLibrary')}</option>
              <OptionList items={isos} value={(i) => i.path} label={(i) => i.name} />
            </select>
          )}
          <input type="text" value={iso} onChange={(e) => setIso(e.target.value)} placeholder="/path/to/disc.iso" aria-label={t('storage.isoPath')} data-testid="cdrom-path-input" />
          <Button icon="disc" disabled={!iso.startsWith('/') || transitional || busy !== null} busy={busy === 'insert'} onClick={() => void guard('insert', () => api.call('vm.cdrom.insert', { vm: vm.id, path: iso }), t('storage.done.insert')).then((ok) => ok && setIso(''))} data-testid="cdrom-insert">
            {t('storage.action.insert')}
          </Button>
        </div>
      </section>
      {vm.spec.disks.length === 0 && !vm.spec.cdrom && free.length === 0 && (
        <EmptyState title={t('storage.tabEmpty')} art={<Icon name="disk" size={40} />}>
          <p className="muted">{t('storage.tabEmptyHint')}</p>
        </EmptyState>
      )}
    </div>
  );
}
