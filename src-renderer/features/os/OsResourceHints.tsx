import { useTranslation } from 'react-i18next';
import { formatBytes, MiB } from '../../../src-main/shared/units';
import { Icon } from '../../components/Icon';
import { diskBytes } from '../wizard/form-logic';
import { useWizard } from '../wizard/store';
import { levelOf, type Level } from './os-logic';

/**
 * Under the hardware and disk sliders: the chosen OS's minimum and recommended range on a bar,
 * with the current value marked, and a warning when it is under the minimum.
 */
function RangeBar({ label, value, min, rec, max, fmt, testId }: { label: string; value: number; min: number | null; rec: number | null; max: number; fmt: (n: number) => string; testId: string }) {
  const { t } = useTranslation();
  const level: Level = levelOf(value, min, rec);
  const pct = (n: number) => `${Math.max(0, Math.min(100, (n / max) * 100))}%`;
  const from = min ?? 0;
  const to = rec ?? min ?? 0;
  return (
    <div className={`os-range os-level-${level}`} data-testid={testId} data-level={level}>
      <div className="os-range-label">
        <span>{label}</span>
        <span className="muted">
          {min !== null && t('osinfo.minimum', { value: fmt(min) })}
          {rec !== null && ` · ${t('osinfo.recommended', { value: fmt(rec) })}`}
        </span>
      </div>
      <div className="os-range-track" aria-hidden="true">
        <div className="os-range-below" style={{ width: pct(from) }} />
        <div className="os-range-rec" style={{ left: pct(from), width: `calc(${pct(to)} - ${pct(from)})` }} />
        <div className="os-range-value" style={{ left: pct(value) }} />
      </div>
      {level === 'below' && (
        <p className="field-warning" role="status">
          <Icon name="warning" size={14} /> {t('osinfo.belowMinimum', { value: fmt(min ?? 0) })}
        </p>
      )}
    </div>
  );
}

export function OsResourceHints({ what }: { what: 'hardware' | 'disk' }) {
  const { t } = useTranslation();
  const d = useWizard((s) => s.draft);
  const os = d.osInfo;
  if (!os) return null;
  if (what === 'disk') {
    const bytes = diskBytes(d);
    if (!d.diskEnabled || typeof bytes !== 'number') return null;
    const max = Math.max(bytes, os.recommended.diskBytes ?? 0, os.minimum.diskBytes ?? 0) * 1.25;
    return <RangeBar label={t('osinfo.diskFor', { name: os.name })} value={bytes} min={os.minimum.diskBytes} rec={os.recommended.diskBytes} max={max} fmt={formatBytes} testId="os-range-disk" />;
  }
  const memMax = Math.max(d.memoryMiB, os.recommended.memoryMiB ?? 0, os.minimum.memoryMiB ?? 0) * 1.25;
  const cpuMax = Math.max(d.cpus, os.recommended.cpus ?? 0, os.minimum.cpus ?? 0) * 1.5;
  return (
    <div className="os-ranges">
      <RangeBar label={t('osinfo.cpusFor', { name: os.name })} value={d.cpus} min={os.minimum.cpus} rec={os.recommended.cpus} max={cpuMax} fmt={String} testId="os-range-cpus" />
      <RangeBar label={t('osinfo.memoryFor', { name: os.name })} value={d.memoryMiB} min={os.minimum.memoryMiB} rec={os.recommended.memoryMiB} max={memMax} fmt={(n) => formatBytes(n * MiB)} testId="os-range-memory" />
    </div>
  );
}
