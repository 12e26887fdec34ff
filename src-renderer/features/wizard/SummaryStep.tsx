import { useEffect } from 'react';
import { DetailRows } from '../../components/DetailRows';
import { useTranslation } from 'react-i18next';
import { formatBytes, MiB } from '../../../src-main/shared/units';
import { Icon } from '../../components/Icon';
import { diskBytes } from './form-logic';
import type { FormApi } from './form-api';
import { osVariantLabel } from './presets';
import { useImages } from '../images/store';

/** The last step: everything that will be created, and whether to start it right away. */
export function SummaryStep({ form, generalError }: { form: FormApi; generalError: string | null }) {
  const { t } = useTranslation();
  const { draft: d, set } = form;
  const bytes = diskBytes(d);
  // an ISO from the library by its name, not as …/images/<uuid>.iso
  const images = useImages((st) => st.images);
  useEffect(() => {
    if (d.media === 'iso' && !useImages.getState().loaded) void useImages.getState().load();
  }, [d.media]);
  const libraryName = (path: string) => images.find((i) => i.path === path)?.name;
  const rows: Array<[string, string]> = [
    [t('fields.name'), d.name],
    [t('fields.os'), d.osInfo ? `${d.osInfo.name} (${d.osInfo.id})` : `${t(`os.family.${d.family}`)} · ${osVariantLabel(d.variant, t)}`],
    [t('summary.media'), d.media === 'iso' ? (libraryName(d.isoPath) ?? d.isoPath) : t('media.none')],
    ...(d.kernelEnabled ? ([[t('fields.kernel'), [d.kernelPath, d.initrdPath, d.append].filter(Boolean).join('  ·  ')]] as Array<[string, string]>) : []),
    [t('fields.cpus'), String(d.cpus)],
    [t('fields.memory'), formatBytes(d.memoryMiB * MiB)],
    [t('fields.firmware'), `${t(`firmware.${d.firmware}`)} · ${d.machine}`],
    [t('security.title'), [d.secureBoot ? t('security.secureBoot') : null, d.tpm ? t('security.tpm') : null].filter(Boolean).join(' · ') || t('security.none')],
    ...(d.osInfo && (d.osInfo.rtc === 'localtime' || d.osInfo.hyperv) ? ([[t('osinfo.clock'), [d.osInfo.rtc === 'localtime' ? t('osinfo.rtcLocal') : null, d.osInfo.hyperv ? t('osinfo.hyperv') : null].filter(Boolean).join(' · ')]] as Array<[string, string]>) : []),
    [
      t('summary.disk'),
      d.image
        ? t(d.fullCopy ? 'images.wizard.summaryCopy' : 'images.wizard.summaryLinked', { name: d.image.name })
        : d.diskEnabled && typeof bytes === 'number'
          ? `${formatBytes(bytes)} · ${d.diskFormat} · ${d.diskBus}`
          : t('summary.noDisk'),
    ],
    [t('fields.network'), d.network === 'nat' ? `${t('network.nat')} · ${d.nicModel} · ${t('summary.forwards', { count: d.portForwards.length })}` : t('network.none')],
    [t('fields.display'), t(`display.${d.display}`)],
  ];
  return (
    <div className="form-grid">
      {generalError && (
        <div className="callout callout-error" role="alert" data-testid="wizard-error">
          <Icon name="error" size={20} />
          <p>{generalError}</p>
        </div>
      )}
      <DetailRows rows={rows} className="summary" testId="wizard-summary" />
      <label className="checkbox">
        <input type="checkbox" checked={d.startAfterCreate} onChange={(e) => set({ startAfterCreate: e.target.checked })} data-testid="wizard-start-after" />
        {t('summary.startAfter')}
      </label>
      <label className="checkbox">
        <input type="checkbox" checked={d.autostart} onChange={(e) => set({ autostart: e.target.checked })} data-testid="wizard-autostart" />
        {t('fields.autostartLong')}
      </label>
    </div>
  );
}
