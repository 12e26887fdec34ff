import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { MetricRange, VmInfo, VmSample } from '../../../src-main/api/contract';
import { EmptyState } from '../../components/EmptyState';
import { Icon } from '../../components/Icon';
import { Chart } from './Chart';
import { RANGE_SECONDS, formatValue, type Unit } from './format';
import { RangePicker } from './RangePicker';
import { useMetrics } from './use-metrics';
import './performance.css';

/** One figure on top of the charts; "not measured" (null) is said, never shown as 0. */
export function Tile({ label, value, unit, note, testId, say }: { label: string; value: number | null | undefined; unit: Unit; note?: string | undefined; testId?: string; say?: string | undefined }) {
  const { t } = useTranslation();
  const missing = value === null || value === undefined;
  // `say`: a sentence instead of a figure ("not running", "no network card")
  return (
    <div className="perf-tile" data-testid={testId} title={missing ? note : undefined}>
      <span className="perf-tile-label">{label}</span>
      <strong className={missing || say ? 'muted' : undefined}>{say ?? (missing ? t('perf.notMeasured') : formatValue(value, unit))}</strong>
    </div>
  );
}

/** The Performance tab of a VM: live at 1 s for the last 10 minutes, rollups for longer ranges. */
export function PerformanceTab({ vm }: { vm: VmInfo }) {
  const { t } = useTranslation();
  const [range, setRange] = useState<MetricRange>('10m');
  const running = vm.state === 'running' || vm.state === 'paused';
  const m = useMetrics<VmSample>(vm.id, range, running);
  // the tiles are "now": a stopped VM has no current CPU or memory (the charts keep the history)
  const latest = running ? m.points.at(-1) : undefined;
  const off = running ? undefined : t('newUser.notRunningShort');
  const noNic = vm.spec.nics.length === 0 ? t('newUser.noNic') : undefined;
  const xs = useMemo(() => m.points.map((p) => p.t / 1000), [m.points]);
  const col = (pick: (p: VmSample) => number | null) => m.points.map(pick);
  const series = useMemo(
    () => ({
      cpu: [{ label: t('perf.cpu'), colorVar: '--accent', values: col((p) => p.cpuPct) }],
      mem: [
        { label: t('perf.memHost'), colorVar: '--accent', values: col((p) => p.memRssBytes) },
        { label: t('perf.memGuest'), colorVar: '--success', values: col((p) => p.memGuestUsedBytes) },
      ],
      disk: [
        { label: t('perf.read'), colorVar: '--success', values: col((p) => p.diskReadBps) },
        { label: t('perf.write'), colorVar: '--warning', values: col((p) => p.diskWriteBps) },
      ],
      iops: [
        { label: t('perf.read'), colorVar: '--success', values: col((p) => p.diskReadIops) },
        { label: t('perf.write'), colorVar: '--warning', values: col((p) => p.diskWriteIops) },
      ],
      net: [
        { label: t('perf.netIn'), colorVar: '--success', values: col((p) => p.netRxBps) },
        { label: t('perf.netOut'), colorVar: '--warning', values: col((p) => p.netTxBps) },
      ],
    }),
    [m.points, t],
  );
  const netMeasured = m.points.some((p) => p.netRxBps !== null);

  return (
    <div className="perf" data-testid="performance-tab">
      <div className="perf-head">
        <RangePicker value={range} onChange={setRange} name="vm-perf" />
        <span className="muted small" data-testid="perf-resolution">
          {range === '10m' && running ? t('perf.live') : t('perf.resolution', { seconds: m.resolutionSec })}
        </span>
      </div>
      {m.error && (
        <p className="field-error" role="alert">
          {m.error}
        </p>
      )}
      {range === '10m' && !running && m.points.length === 0 ? (
        <EmptyState art={<Icon name="chart" size={48} />} title={t('perf.notRunningTitle')} testId="perf-not-running">
          <p className="muted">{t('perf.notRunningText')}</p>
        </EmptyState>
      ) : (
        <>
          <div className="perf-tiles" aria-live="off">
            <Tile label={t('perf.cpu')} value={latest?.cpuPct} unit="pct" testId="perf-tile-cpu" say={off} />
            <Tile label={t('perf.memHost')} value={latest?.memRssBytes} unit="bytes" testId="perf-tile-mem" say={off} />
            <Tile label={t('perf.memGuest')} value={latest?.memGuestUsedBytes} unit="bytes" note={m.notMeasured.memGuest} testId="perf-tile-guestmem" say={off} />
            <Tile label={t('perf.diskRead')} value={latest?.diskReadBps} unit="bps" testId="perf-tile-read" say={off} />
            <Tile label={t('perf.diskWrite')} value={latest?.diskWriteBps} unit="bps" testId="perf-tile-write" say={off} />
            <Tile label={t('perf.network')} value={latest?.netRxBps} unit="bps" note={m.notMeasured.net} testId="perf-tile-net" say={noNic ?? off} />
          </div>
          {m.points.length === 0 && !m.loading ? (
            <p className="muted" data-testid="perf-no-data">
              {t('perf.noData')}
            </p>
          ) : (
            <div className="perf-grid">
              <Chart windowSec={RANGE_SECONDS[range]} title={t('perf.cpuChart')} unit="pct" xs={xs} series={series.cpu} yMax={100} testId="chart-cpu" />
              <Chart windowSec={RANGE_SECONDS[range]} title={t('perf.memChart')} unit="bytes" xs={xs} series={series.mem} testId="chart-mem" />
              <Chart windowSec={RANGE_SECONDS[range]} title={t('perf.diskChart')} unit="bps" xs={xs} series={series.disk} testId="chart-disk" />
              <Chart windowSec={RANGE_SECONDS[range]} title={t('perf.iopsChart')} unit="iops" xs={xs} series={series.iops} testId="chart-iops" />
              {netMeasured ? (
                <Chart windowSec={RANGE_SECONDS[range]} title={t('perf.netChart')} unit="bps" xs={xs} series={series.net} testId="chart-net" />
              ) : (
                <figure className="perf-chart perf-chart-missing" data-testid="chart-net-missing">
                  <figcaption>{t('perf.netChart')}</figcaption>
                  <p className="muted">{noNic ?? t('perf.netNotMeasured')}</p>
                </figure>
              )}
            </div>
          )}
        </>
      )}
    </div>
  );
}
