import { useTranslation } from 'react-i18next';
import { METRIC_RANGES, type MetricRange } from '../../../src-main/api/contract';

/** 10 min · 1 h · 24 h · 7 d · 30 d, as a keyboard-reachable segmented control. */
export function RangePicker({ value, onChange, name }: { value: MetricRange; onChange(r: MetricRange): void; name: string }) {
  const { t } = useTranslation();
  return (
    <div className="segmented" role="radiogroup" aria-label={t('perf.range')} data-testid={`${name}-range`}>
      {METRIC_RANGES.map((r) => (
        <label key={r} className={`segment${value === r ? ' active' : ''}`} data-testid={`${name}-range-${r}`}>
          <input type="radio" name={name} value={r} checked={value === r} onChange={() => onChange(r)} />
          {t(`perf.ranges.${r}`)}
        </label>
      ))}
    </div>
  );
}
