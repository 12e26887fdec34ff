import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { HostSample, MetricRange } from '../../../src-main/api/contract';
import { Chart } from './Chart';
import { RangePicker } from './RangePicker';
import { Tile } from './PerformanceTab';
import { RANGE_SECONDS } from './format';
import { useMetrics } from './use-metrics';
import './performance.css';
import '../schedules/ops.css';
import { PageHeader } from '../../app/pages';

/** The host overview page: this computer's CPU, memory and disk space over time. */
export function HostOverview() {
  const { t } = useTranslation();
  const [range, setRange] = useState<MetricRange>('10m');
  const m = useMetrics<HostSample>(null, range, true);
  const latest = m.points.at(-1);
  const xs = useMemo(() => m.points.map((p) => p.t / 1000), [m.points]);
  const cpu = useMemo(() => [{ label: t('perf.cpu'), colorVar: '--accent', values: m.points.map((p) => p.cpuPct) }], [m.points, t]);
  const mem = useMemo(() => [{ label: t('perf.memUsed'), colorVar: '--accent', values: m.points.map((p) => p.memUsedBytes) }], [m.points, t]);
  const disk = useMemo(() => [{ label: t('perf.diskUsed'), colorVar: '--warning', values: m.points.map((p) => p.diskUsedBytes) }], [m.points, t]);
  return (
    <div className="ops-page perf" data-testid="host-overview">
      <PageHeader icon="chart" title={t('perf.hostTitle')} hint={t('perf.hostIntro')} />
      <div className="perf-head">
        <RangePicker value={range} onChange={setRange} name="host-perf" />
        <span className="muted small">{range === '10m' ? t('perf.live') : t('perf.resolution', { seconds: m.resolutionSec })}</span>
      </div>
      {m.error && (
        <p className="field-error" role="alert">
          {m.error}
        </p>
      )}
      <div className="perf-tiles">
        <Tile label={t('perf.cpu')} value={latest?.cpuPct} unit="pct" testId="host-tile-cpu" />
        <Tile label={t('perf.memUsed')} value={latest?.memUsedBytes} unit="bytes" testId="host-tile-mem" />
        <Tile label={t('perf.memTotal')} value={latest?.memTotalBytes} unit="bytes" />
        <Tile label={t('perf.diskUsed')} value={latest?.diskUsedBytes} unit="bytes" />
        <Tile label={t('perf.diskTotal')} value={latest?.diskTotalBytes} unit="bytes" />
      </div>
      {m.points.length === 0 && !m.loading ? (
        <p className="muted">{t('perf.noData')}</p>
      ) : (
        <div className="perf-grid">
          <Chart windowSec={RANGE_SECONDS[range]} title={t('perf.hostCpuChart')} unit="pct" xs={xs} series={cpu} yMax={100} testId="host-chart-cpu" />
          <Chart windowSec={RANGE_SECONDS[range]} title={t('perf.memChart')} unit="bytes" xs={xs} series={mem} yMax={latest?.memTotalBytes ?? undefined} testId="host-chart-mem" />
          <Chart windowSec={RANGE_SECONDS[range]} title={t('perf.diskSpaceChart')} unit="bytes" xs={xs} series={disk} yMax={latest?.diskTotalBytes ?? undefined} testId="host-chart-disk" />
        </div>
      )}
    </div>
  );
}
