import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatTick, formatValue, type Unit } from './format';
import { formatDateTime } from '../../i18n/format';

export interface ChartSeries {
  label: string;
  /** A theme variable (e.g. --accent) so dark and light themes both read well. */
  colorVar: string;
  values: Array<number | null>;
}

/** The theme on <html data-theme>: charts repaint their colours when it changes. */
function useThemeName(): string {
  const [theme, setTheme] = useState(() => document.documentElement.dataset.theme ?? '');
  useEffect(() => {
    const mo = new MutationObserver(() => setTheme(document.documentElement.dataset.theme ?? ''));
    mo.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => mo.disconnect();
  }, []);
  return theme;
}

/** Tick steps that give round labels: binary sizes for memory, 1-2-5 decades for rates. */
const decades = (from: number, to: number) => {
  const out: number[] = [];
  for (let d = from; d <= to; d *= 10) out.push(d, 2 * d, 5 * d);
  return out;
};
const TICK_STEPS: Record<Unit, number[]> = {
  pct: [1, 2, 5, 10, 20, 25, 50],
  bytes: Array.from({ length: 24 }, (_, i) => 2 ** (20 + i)),
  bps: decades(1e3, 1e11),
  iops: decades(1, 1e7),
};

/** Resolve a CSS variable of the current theme to a colour uPlot can paint with. */
const cssVar = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';

/**
 * A time-series chart on uPlot's canvas: time on x (unix seconds), one unit on y, a cursor with
 * a legend that shows each series' value at the pointer (the tooltip). `null` draws a gap.
 */
export function Chart({ title, unit, xs, series, windowSec, yMax, height = 160, testId }: { title: string; unit: Unit; xs: number[]; series: ChartSeries[]; windowSec: number; yMax?: number | undefined; height?: number; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  const timeLabel = t('perf.time');
  const theme = useThemeName();
  const shape = `${locale}|${timeLabel}|${theme}|${unit}|${series.map((s) => s.label + s.colorVar).join(',')}|${yMax ?? ''}|${height}`;

  // (re)create when the series set changes; data updates go through setData below
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const text = cssVar('--text-muted');
    const grid = cssVar('--border');
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
      scales: { x: { time: true }, y: { range: (_u, min, max) => [0, Math.max(yMax ?? 0, max > 0 ? max * 1.1 : 1, min)] } },
      axes: [
        { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, values: (_u, vals, _ax, _space, incr) => vals.map((v) => timeTick(v, incr, locale)) },
        { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, size: 64, incrs: TICK_STEPS[unit], values: (_u, vals) => vals.map((v) => formatTick(v, unit)) },
      ],
      series: [
        { label: timeLabel, value: (_u, v) => (v === null ? '—' : formatDateTime(v * 1000, { dateStyle: 'short', timeStyle: 'medium' }, locale)) },
        ...series.map((s) => {
          const c = cssVar(s.colorVar);
          return { label: s.label, stroke: c, width: 1.5, fill: `${c}22`, spanGaps: false, value: (_u: uPlot, v: number | null) => formatValue(v, unit) };
        }),
      ],
    };
    const u = new uPlot(opts, [xs, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [shape]);

  // the x axis always spans the chosen range up to now, so a live chart scrolls like a strip chart
  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    u.setData([xs, ...series.map((s) => s.values)] as uPlot.AlignedData);
    const now = Date.now() / 1000;
    u.setScale('x', { min: now - windowSec, max: now });
  }, [xs, series, windowSec, shape]);

  return (
    <figure className="perf-chart" data-testid={testId}>
      <figcaption>{title}</figcaption>
      <div ref={box} className="perf-chart-canvas" role="img" aria-label={title} />
    </figure>
  );
}

/** x-axis labels in the UI's locale (uPlot's own are US-style): seconds, minutes or days by tick step. */
function timeTick(sec: number, incr: number, locale: string): string {
  if (incr < 60) return formatDateTime(sec * 1000, { hour: '2-digit', minute: '2-digit', second: '2-digit' }, locale);
  if (incr < 86400) return formatDateTime(sec * 1000, { hour: '2-digit', minute: '2-digit' }, locale);
  return formatDateTime(sec * 1000, { month: 'short', day: 'numeric' }, locale);
}
