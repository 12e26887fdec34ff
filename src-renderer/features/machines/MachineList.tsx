import { memo, useEffect, useLayoutEffect, useMemo, useRef } from 'react';
import { GuestIp } from '../guest/GuestSection';
import { useTranslation } from 'react-i18next';
import { VmThumbnail } from '../consoles/VmThumbnail';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { VmInfo } from '../../../src-main/api/contract';
import { Icon } from '../../components/Icon';
import { OsIcon } from '../../components/OsIcon';
import { noteFilterInput, noteListCommit } from '../../app/bench';
import { SORT_KEYS, visibleVms, type SortKey } from './list-logic';
import { HostChip } from '../hosts/HostChip';
import { StateBadge } from './StateBadge';
import { useMachines } from './store';
import { closePages } from '../../app/pages';
import { MachineContextMenu, openConsoleOf, useRowMenu } from './MachineContextMenu';

const ROW_HEIGHT = 64;

/** The visible (filtered, sorted) machines; shared by the list and the keyboard shortcuts. */
export function useVisibleVms(): VmInfo[] {
  const byId = useMachines((s) => s.byId);
  const filter = useMachines((s) => s.filter);
  const sort = useMachines((s) => s.sort);
  const desc = useMachines((s) => s.sortDescending);
  return useMemo(() => visibleVms(Object.values(byId), filter, sort, desc), [byId, filter, sort, desc]);
}

export const SEARCH_INPUT_ID = 'vm-search';
export const LIST_ID = 'vm-list';

function SearchAndSort() {
  const { t } = useTranslation();
  const filter = useMachines((s) => s.filter);
  const setFilter = useMachines((s) => s.setFilter);
  const sort = useMachines((s) => s.sort);
  const desc = useMachines((s) => s.sortDescending);
  const setSort = useMachines((s) => s.setSort);
  return (
    <div className="list-tools">
      <div className="search-box">
        <Icon name="search" size={16} />
        <input
          id={SEARCH_INPUT_ID}
          type="search"
          value={filter}
          placeholder={t('list.searchPlaceholder')}
          aria-label={t('list.search')}
          data-testid="vm-search"
          onChange={(e) => {
            noteFilterInput(e.nativeEvent.timeStamp);
            setFilter(e.target.value);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape' && filter) {
              e.stopPropagation();
              setFilter('');
            } else if (e.key === 'ArrowDown' || e.key === 'Enter') {
              e.preventDefault();
              document.getElementById(LIST_ID)?.focus();
            }
          }}
        />
        <kbd className="search-kbd" aria-hidden="true">/</kbd>
      </div>
      <div className="sort-box">
        <select aria-label={t('list.sortBy')} value={sort} onChange={(e) => setSort(e.target.value as SortKey, desc)} data-testid="vm-sort">
          {SORT_KEYS.map((k) => (
            <option key={k} value={k}>
              {t(`list.sort.${k}`)}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="icon-btn"
          aria-label={desc ? t('list.descending') : t('list.ascending')}
          title={desc ? t('list.descending') : t('list.ascending')}
          aria-pressed={desc}
          onClick={() => setSort(sort, !desc)}
        >
          <Icon name={desc ? 'sortDesc' : 'sortAsc'} size={18} />
        </button>
      </div>
    </div>
  );
}

const MachineRow = memo(function MachineRow({ vm, selected, busy, onSelect }: { vm: VmInfo; selected: boolean; busy: boolean; onSelect(id: string): void }) {
  const { t } = useTranslation();
  return (
    <div
      id={`vm-option-${vm.id}`}
      role="option"
      aria-selected={selected}
      className={`vm-row${selected ? ' selected' : ''}`}
      data-testid={`vm-row-${vm.name}`}
      onMouseDown={(e) => {
        e.preventDefault(); // keep focus on the listbox
        document.getElementById(LIST_ID)?.focus();
        onSelect(vm.id);
        if (e.button === 0) closePages(); // the machine's details, even when it was already selected
      }}
      onDoubleClick={() => openConsoleOf(vm.id)}
      onContextMenu={(e) => {
        e.preventDefault();
        onSelect(vm.id);
        closePages();
        useRowMenu.getState().open(vm.id, e.clientX, e.clientY);
      }}
    >
      <OsIcon family={vm.spec.os.family} size={32} title={t(`os.family.${vm.spec.os.family}`)} />
      <div className="vm-row-text">
        <span className="vm-row-name">{vm.name}</span>
        <span className="vm-row-state">
          <StateBadge state={vm.state} compact />
          {vm.damaged && (
            <span className="state-badge state-crashed compact" data-testid="vm-damaged" title={vm.damaged}>
              {t('recovery.damaged')}
            </span>
          )}
          <HostChip hostId={vm.hostId} />
          <GuestIp vm={vm} />
          {busy && <span className="spinner small" aria-hidden="true" />}
        </span>
      </div>
      <VmThumbnail vm={vm} />
    </div>
  );
});

/** The searchable, sortable, virtualised machine list (1,000 rows stay smooth: only visible rows exist in the DOM). */
export function MachineList() {
  const { t } = useTranslation();
  const visible = useVisibleVms();
  const selectedId = useMachines((s) => s.selectedId);
  const select = useMachines((s) => s.select);
  const busy = useMachines((s) => s.busy);
  const filter = useMachines((s) => s.filter);
  const total = useMachines((s) => Object.keys(s.byId).length);
  const scrollRef = useRef<HTMLDivElement>(null);

  const virtualizer = useVirtualizer({ count: visible.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 8 });

  useLayoutEffect(() => noteListCommit(visible.length), [visible]);

  // keep the selected row in view when the keyboard moves the selection
  const selectedIndex = useMemo(() => visible.findIndex((v) => v.id === selectedId), [visible, selectedId]);
  useEffect(() => {
    if (selectedIndex < 0) return;
    // already in view (the usual case at start): no scrollToIndex, whose reconcile loop reads the
    // layout (a forced reflow of the whole page before the first paint: test/bench/ui.bench.ts)
    const top = selectedIndex * ROW_HEIGHT;
    const offset = virtualizer.scrollOffset ?? 0;
    const height = virtualizer.scrollRect?.height ?? 0;
    if (height > 0 && top >= offset && top + ROW_HEIGHT <= offset + height) return;
    virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex, virtualizer]);

  return (
    <div className="machine-list">
      <SearchAndSort />
      <div
        id={LIST_ID}
        ref={scrollRef}
        className="vm-scroll"
        role="listbox"
        aria-label={t('list.label')}
        aria-activedescendant={selectedIndex >= 0 ? `vm-option-${selectedId}` : undefined}
        tabIndex={0}
        data-testid="vm-list"
        onKeyDown={(e) => {
          // Shift+F10 or the Menu key: the selected row's context menu, at the row
          if (!selectedId || !((e.key === 'F10' && e.shiftKey) || e.key === 'ContextMenu')) return;
          e.preventDefault();
          e.stopPropagation();
          const r = document.getElementById(`vm-option-${selectedId}`)?.getBoundingClientRect();
          useRowMenu.getState().open(selectedId, r ? r.left + 24 : 0, r ? r.bottom - 8 : 0);
        }}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative', width: '100%' }}>
          {virtualizer.getVirtualItems().map((item) => {
            const vm = visible[item.index]!;
            return (
              <div key={vm.id} style={{ position: 'absolute', top: 0, left: 0, right: 0, height: item.size, transform: `translateY(${item.start}px)` }}>
                <MachineRow vm={vm} selected={vm.id === selectedId} busy={busy[vm.id] !== undefined} onSelect={select} />
              </div>
            );
          })}
        </div>
        {visible.length === 0 && total > 0 && <p className="list-note">{t('list.noMatch', { query: filter })}</p>}
      </div>
      <MachineContextMenu returnFocusId={LIST_ID} />
      <div className="list-count" aria-live="polite">
        {filter ? t('list.countFiltered', { shown: visible.length, total }) : t('list.count', { count: total })}
      </div>
    </div>
  );
}
