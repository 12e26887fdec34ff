import type { ReactNode } from 'react';
import { DetailRows } from '../../components/DetailRows';
import { useTranslation } from 'react-i18next';
import type { VmInfo } from '../../../src-main/api/contract';
import { formatBytes, MiB } from '../../../src-main/shared/units';
import { Icon, type IconName } from '../../components/Icon';
import { osVariantLabel } from '../wizard/presets';
import { GuestSection } from '../guest/GuestSection';
import { formatDateTime } from '../../i18n/format';
import { DiskSize, MediumName, useDiskFacts } from './disk-facts';

function Section({ icon, title, children, testId }: { icon: IconName; title: string; children: ReactNode; testId?: string }) {
  return (
    <section className="detail-section" aria-label={title} data-testid={testId}>
      <h3>
        <Icon name={icon} size={16} />
        {title}
      </h3>
      {children}
    </section>
  );
}

function Rows({ rows }: { rows: Array<[string, ReactNode]> }) {
  return (
    <DetailRows rows={rows} />
  );
}

const mono = (text: string) => <code className="path">{text}</code>;

/** The "Details" tab: the machine's spec in sections (VirtualBox's details pane). */
export function DetailsSections({ vm }: { vm: VmInfo }) {
  const { t } = useTranslation();
  const s = vm.spec;
  const facts = useDiskFacts(vm);
  const none = <span className="muted">{t('common.none')}</span>;
  const live = vm.state !== 'stopped' && vm.state !== 'crashed';
  const accel = live && vm.accel ? vm.accel.toUpperCase() : <span className="muted">{t('details.notRunning')}</span>;
  return (
    <div className="detail-grid">
      <Section icon="info" title={t('details.general')} testId="details-general">
        <Rows
          rows={[
            [t('fields.name'), vm.name],
            [t('fields.os'), s.os.id ? `${s.os.name ?? s.os.id} (${s.os.id})` : `${t(`os.family.${s.os.family}`)}${s.os.variant ? ` · ${osVariantLabel(s.os.variant, t)}` : ''}`],
            [t('fields.description'), s.description ? <span className="pre-wrap">{s.description}</span> : none],
            [t('fields.autostart'), s.autostart ? t('common.yes') : t('common.no')],
            [t('details.created'), formatDateTime(vm.createdAt)],
            [t('details.folder'), mono(vm.dir)],
          ]}
        />
      </Section>
      <Section icon="cpu" title={t('details.system')} testId="details-system">
        <Rows
          rows={[
            [t('fields.cpus'), String(s.cpus)],
            [t('fields.memory'), formatBytes(s.memoryMiB * MiB, 0)],
            [t('fields.firmware'), t(`firmware.${s.firmware}`)],
            [t('fields.machine'), s.machine],
            [t('security.secureBoot'), s.secureBoot ? t('security.on') : t('security.off')],
            [t('security.tpm'), s.tpm ? t('security.on') : t('security.off')],
            ...(s.rtc === 'localtime' || s.hyperv ? ([[t('osinfo.clock'), [s.rtc === 'localtime' ? t('osinfo.rtcLocal') : null, s.hyperv ? t('osinfo.hyperv') : null].filter(Boolean).join(' · ')]] as Array<[string, string]>) : []),
            [t('details.accel'), accel],
            [t('details.bootOrder'), s.bootOrder.map((b) => t(`details.boot.${b}`)).join(' → ') || none],
          ]}
        />
      </Section>
      <Section icon="display" title={t('details.display')} testId="details-display">
        <Rows rows={[[t('fields.display'), t(`display.${s.display}`)]]} />
      </Section>
      <Section icon="disk" title={t('details.storage')} testId="details-storage">
        {s.disks.length === 0 && !s.cdrom && !s.kernel ? (
          <p className="muted">{t('details.noStorage')}</p>
        ) : (
          <ul className="detail-list">
            {s.disks.map((d) => (
              <li key={d.id}>
                <div className="detail-list-head">
                  <Icon name="disk" size={14} /> {d.id}
                  <span className="chip">{d.format}</span>
                  <span className="chip">{d.bus}</span>
                  {d.readOnly && <span className="chip">{t('details.readOnly')}</span>}
                  {!d.owned && <span className="chip">{t('details.external')}</span>}
                  <DiskSize facts={facts.get(d.id)} testId={`details-disk-size-${d.id}`} />
                </div>
                {facts.get(d.id)?.imageName && <span className="muted small">{t('newUser.basedOn', { name: facts.get(d.id)?.imageName })}</span>}
                {mono(d.path)}
              </li>
            ))}
            {s.cdrom && (
              <li>
                <div className="detail-list-head">
                  <Icon name="disc" size={14} /> {t('details.cdrom')}
                  <DiskSize facts={facts.get('cdrom')} />
                </div>
                <MediumName path={s.cdrom} facts={facts.get('cdrom')} testId="details-cdrom" />
              </li>
            )}
            {s.kernel && (
              <li>
                <div className="detail-list-head">
                  <Icon name="terminal" size={14} /> {t('details.kernelBoot')}
                </div>
                {mono(s.kernel.path)}
                {s.kernel.initrd && mono(s.kernel.initrd)}
                {s.kernel.append && mono(s.kernel.append)}
              </li>
            )}
          </ul>
        )}
      </Section>
      <Section icon="network" title={t('details.network')} testId="details-network">
        {s.nics.length === 0 ? (
          <p className="muted">{t('details.noNetwork')}</p>
        ) : (
          <ul className="detail-list">
            {s.nics.map((n) => (
              <li key={n.id}>
                <div className="detail-list-head">
                  <Icon name="network" size={14} /> {n.id}
                  <span className="chip">{n.mode === 'internal' ? t('networks.internalChip', { name: n.network }) : n.mode === 'bridge' ? t('networks.bridgeChip', { name: n.bridge }) : t('network.nat')}</span>
                  <span className="chip">{n.model}</span>
                </div>
                <span className="detail-kv">
                  {t('fields.mac')}: {mono(n.mac)}
                </span>
                {n.portForwards.length > 0 && (
                  <table className="mini-table">
                    <caption className="sr-only">{t('network.portForwards')}</caption>
                    <thead>
                      <tr>
                        <th>{t('network.protocol')}</th>
                        <th>{t('network.hostAddress')}</th>
                        <th>{t('network.hostPort')}</th>
                        <th>{t('network.guestPort')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {n.portForwards.map((f) => (
                        <tr key={`${f.protocol}-${f.hostAddress}-${f.hostPort}`}>
                          <td>{f.protocol.toUpperCase()}</td>
                          <td>{f.hostAddress}</td>
                          <td>{f.hostPort}</td>
                          <td>{f.guestPort}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </li>
            ))}
          </ul>
        )}
      </Section>
      <GuestSection vm={vm} />
    </div>
  );
}
