import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { VmInfo } from '../../../src-main/api/contract';
import { Icon, type IconName } from '../../components/Icon';
import { OsIcon } from '../../components/OsIcon';
import { EmptyState } from '../../components/EmptyState';
import { VmThumbnail } from '../consoles/VmThumbnail';
import { DetailsSections } from './DetailsSections';
import { SshPanel } from '../cloudinit/SshPanel';
import { StateBadge } from './StateBadge';
import { selectSelectedVm, useMachines } from './store';
import { engineText } from '../../i18n/engine-text';
import { useDetailTab } from './detail-tab';

// The tabs behind the first one load on demand: xterm.js, noVNC and uPlot stay out of the
// bundle the window needs to show the machine list (see test/bench/ui.bench.ts).
const VmConsole = lazy(() => import('../consoles/VmConsole').then((m) => ({ default: m.VmConsole })));
const StorageTab = lazy(() => import('../storage/StorageTab').then((m) => ({ default: m.StorageTab })));
const SnapshotsTab = lazy(() => import('../storage/SnapshotsTab').then((m) => ({ default: m.SnapshotsTab })));
const BackupsTab = lazy(() => import('../backups/BackupsTab').then((m) => ({ default: m.BackupsTab })));
const PerformanceTab = lazy(() => import('../performance/PerformanceTab').then((m) => ({ default: m.PerformanceTab })));

const TABS = ['details', 'console', 'storage', 'snapshots', 'backups', 'performance'] as const;
type Tab = (typeof TABS)[number];
const TAB_ICONS: Record<Tab, IconName> = { details: 'info', console: 'terminal', performance: 'chart', snapshots: 'camera', storage: 'disk', backups: 'copy' };

/** Why the VM stopped unexpectedly, with the guest's last serial lines (often a kernel panic). */
function CrashNotice({ vm }: { vm: VmInfo }) {
  const { t } = useTranslation();
  return (
    <div className="callout callout-error" role="alert" data-testid="vm-crash">
      <Icon name="warning" size={20} />
      <div>
        <strong>{t('details.crashedTitle')}</strong>
        <p>{vm.stateReason ? engineText(vm.stateReason) : t('details.crashedNoReason')}</p>
        {vm.lastSerialLines.length > 0 && (
          <>
            <p className="callout-sub">{t('details.lastSerialLines')}</p>
            <pre className="serial-tail">{vm.lastSerialLines.join('\n')}</pre>
          </>
        )}
      </div>
    </div>
  );
}

/** The right pane: the selected machine's header and its tabs. */
export function MachineDetails() {
  const { t } = useTranslation();
  const vm = useMachines(selectSelectedVm);
  const [tab, setTab] = useState<Tab>('details');
  const tabRefs = useRef<Partial<Record<Tab, HTMLButtonElement | null>>>({});
  const tabRequest = useDetailTab((s) => s.request);
  useEffect(() => {
    if (tabRequest) setTab(tabRequest.tab);
  }, [tabRequest]);

  if (!vm) {
    return (
      <div className="details-pane">
        <EmptyState title={t('details.noneSelected')}>
          <p className="muted">{t('details.noneSelectedHint')}</p>
        </EmptyState>
      </div>
    );
  }

  // arrow keys move between tabs (WAI-ARIA tabs pattern)
  const onTabKey = (e: React.KeyboardEvent) => {
    const i = TABS.indexOf(tab);
    const next = e.key === 'ArrowRight' ? TABS[(i + 1) % TABS.length] : e.key === 'ArrowLeft' ? TABS[(i + TABS.length - 1) % TABS.length] : null;
    if (next) {
      e.preventDefault();
      e.stopPropagation();
      setTab(next);
      tabRefs.current[next]?.focus();
    }
  };

  return (
    <div className="details-pane" data-testid="vm-details">
      <header className="details-header">
        <OsIcon family={vm.spec.os.family} size={44} title={t(`os.family.${vm.spec.os.family}`)} />
        <div className="details-title">
          <h1>{vm.name}</h1>
          <div className="details-sub">
            <StateBadge state={vm.state} testId="vm-details-state" />
            {vm.stateReason && vm.state !== 'crashed' && <span className="muted state-reason">{engineText(vm.stateReason)}</span>}
          </div>
        </div>
        <VmThumbnail key={vm.id} vm={vm} large />
      </header>
      <div className="tabs" role="tablist" aria-label={t('details.tabs')} onKeyDown={onTabKey}>
        {TABS.map((id) => (
          <button
            key={id}
            ref={(el) => {
              tabRefs.current[id] = el;
            }}
            type="button"
            role="tab"
            id={`tab-${id}`}
            aria-selected={tab === id}
            aria-controls={`tabpanel-${id}`}
            tabIndex={tab === id ? 0 : -1}
            className={`tab${tab === id ? ' active' : ''}`}
            onClick={() => setTab(id)}
            data-testid={`tab-${id}`}
          >
            <Icon name={TAB_ICONS[id]} size={16} />
            {t(`details.tab.${id}`)}
          </button>
        ))}
      </div>
      <div className="tab-panel" role="tabpanel" id={`tabpanel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'details' ? (
          <>
            {vm.state === 'crashed' && <CrashNotice vm={vm} />}
            <DetailsSections vm={vm} />
            <SshPanel vm={vm} />
          </>
        ) : (
          <Suspense fallback={<div className="tab-loading" aria-busy="true" />}>
            {tab === 'console' ? <VmConsole vm={vm} /> : tab === 'storage' ? <StorageTab vm={vm} /> : tab === 'snapshots' ? <SnapshotsTab vm={vm} /> : tab === 'backups' ? <BackupsTab vm={vm} /> : <PerformanceTab vm={vm} />}
          </Suspense>
        )}
      </div>
    </div>
  );
}
