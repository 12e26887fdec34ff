import { useEffect, useRef, useState } from 'react';
import type { HostSample, MetricRange, VmSample } from '../../../src-main/api/contract';
import { api, errorMessage } from '../../api';

/** How long the 10-minute live window keeps points, and how often a watch is renewed (lease 60 s). */
const LIVE_WINDOW_MS = 10 * 60 * 1000;
const RENEW_MS = 30 * 1000;
const REFRESH_ROLLUPS_MS = 60 * 1000;

export interface MetricsState<T> {
  points: T[];
  resolutionSec: number;
  notMeasured: Record<string, string>;
  error: string | null;
  loading: boolean;
}

/**
 * A VM's (vmId) or a host's (vmId null) series for a range. The 10-minute range is live: the
 * engine is asked to sample at 1 Hz while this is on screen (metrics.watch, renewed), and
 * metrics.sample events are appended. Longer ranges come from the SQLite rollups, refreshed each minute.
 */
export function useMetrics<T extends VmSample | HostSample>(vmId: string | null, range: MetricRange, live: boolean): MetricsState<T> {
  const [state, setState] = useState<MetricsState<T>>({ points: [], resolutionSec: 1, notMeasured: {}, error: null, loading: true });
  const gen = useRef(0);

  useEffect(() => {
    const mine = ++gen.current;
    const load = async () => {
      try {
        const h = vmId ? await api.call('metrics.history', { vm: vmId, range }) : await api.call('metrics.hostHistory', { range });
        if (gen.current !== mine) return;
        setState({ points: h.points as T[], resolutionSec: h.resolutionSec, notMeasured: 'notMeasured' in h ? h.notMeasured : {}, error: null, loading: false });
      } catch (e) {
        if (gen.current === mine) setState((s) => ({ ...s, error: errorMessage(e), loading: false }));
      }
    };
    setState((s) => ({ ...s, points: [], loading: true }));
    void load();
    const cleanups: Array<() => void> = [];
    if (range === '10m' && live) {
      const watchInput = vmId ? { vm: vmId } : {};
      const watch = () => void api.call('metrics.watch', watchInput).catch(() => undefined);
      watch();
      const renew = setInterval(watch, RENEW_MS);
      const off = api.on('metrics.sample', (m) => {
        if (m.vmId !== vmId || gen.current !== mine) return;
        setState((s) => {
          const cutoff = Date.now() - LIVE_WINDOW_MS;
          const points = [...s.points.filter((p) => p.t >= cutoff), m.sample as T];
          return { ...s, points, resolutionSec: 1 };
        });
      });
      cleanups.push(() => {
        clearInterval(renew);
        off();
        void api.call('metrics.unwatch', watchInput).catch(() => undefined);
      });
    } else if (range !== '10m') {
      const refresh = setInterval(() => void load(), REFRESH_ROLLUPS_MS);
      cleanups.push(() => clearInterval(refresh));
    }
    return () => {
      for (const c of cleanups) c();
    };
  }, [vmId, range, live]);

  return state;
}
