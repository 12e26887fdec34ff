import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { useMoveDialog } from '../move/move-store';
import { useExportDialog } from '../appliances/export-store';
import { useTranslation } from 'react-i18next';
import { create } from 'zustand';
import type { VmInfo } from '../../../src-main/api/contract';
import { Icon, type IconName } from '../../components/Icon';
import { closePages } from '../../app/pages';
import { useUi } from '../../app/ui-store';
import { runPowerAction } from './actions';
import { useDetailTab } from './detail-tab';
import { useMachines } from './store';
import { canDo } from './vm-actions';
import './row-menu.css';

/**
 * The right-click menu of a machine row (what VirtualBox users expect): start, shut down,
 * console, clone, settings, delete. Opens with the mouse, Shift+F10 or the Menu key on the list;
 * arrow keys, Home/End, Enter and Escape work as in the WAI-ARIA menu pattern.
 */
export const useRowMenu = create<{ menu: { vmId: string; x: number; y: number } | null; open(vmId: string, x: number, y: number): void; close(): void }>()((set) => ({
  menu: null,
  open: (vmId, x, y) => set({ menu: { vmId, x, y } }),
  close: () => set({ menu: null }),
}));

/** Show the machine with its console tab (double-click on a row, "Console" in the menu). */
export function openConsoleOf(vmId: string): void {
  useMachines.getState().select(vmId);
  closePages();
  useDetailTab.getState().show('console');
}

interface Item {
  id: string;
  icon: IconName;
  label: string;
  enabled: boolean;
  title?: string;
  run(): void;
}

function itemsFor(vm: VmInfo, t: (k: string) => string): Item[] {
  const busy = useMachines.getState().busy[vm.id] !== undefined;
  const openDialog = useUi.getState().openDialog;
  return [
    { id: 'start', icon: 'play', label: t('toolbar.start'), enabled: !busy && canDo('start', vm.state), run: () => void runPowerAction(vm, 'start') },
    { id: 'stop', icon: 'power', label: t('toolbar.stop'), enabled: !busy && canDo('stop', vm.state), run: () => void runPowerAction(vm, 'stop') },
    { id: 'console', icon: 'terminal', label: t('rowMenu.console'), enabled: true, run: () => openConsoleOf(vm.id) },
    { id: 'clone', icon: 'copy', label: t('rowMenu.clone'), enabled: false, title: t('rowMenu.cloneUnavailable'), run: () => undefined },
    { id: 'settings', icon: 'sliders', label: t('toolbar.settings'), enabled: true, run: () => openDialog({ kind: 'settings', vmId: vm.id }) },
    { id: 'move', icon: 'network', label: t('move.toolbar'), enabled: !busy, run: () => useMoveDialog.getState().show(vm.id) },
    { id: 'export', icon: 'external', label: t('exportVm.menu'), enabled: !busy, run: () => useExportDialog.getState().show(vm.id) },
    { id: 'delete', icon: 'trash', label: t('toolbar.delete'), enabled: !busy && canDo('delete', vm.state), run: () => openDialog({ kind: 'delete', vmId: vm.id }) },
  ];
}

export function MachineContextMenu({ returnFocusId }: { returnFocusId: string }) {
  const { t } = useTranslation();
  const menu = useRowMenu((s) => s.menu);
  const close = useRowMenu((s) => s.close);
  const vm = useMachines((s) => (menu ? s.byId[menu.vmId] : undefined));
  const ref = useRef<HTMLDivElement>(null);
  const [pos, setPos] = useState<{ left: number; top: number } | null>(null);
  const items = vm ? itemsFor(vm, t) : [];
  const enabledIdx = items.map((it, i) => (it.enabled ? i : -1)).filter((i) => i >= 0);
  const [active, setActive] = useState(0);

  // keep the menu inside the window, focus the first enabled item
  useLayoutEffect(() => {
    if (!menu || !ref.current) return;
    const r = ref.current.getBoundingClientRect();
    setPos({ left: Math.min(menu.x, window.innerWidth - r.width - 4), top: Math.min(menu.y, window.innerHeight - r.height - 4) });
    setActive(enabledIdx[0] ?? 0);
  }, [menu]);
  useEffect(() => {
    if (menu) ref.current?.querySelector<HTMLElement>(`[data-index="${active}"]`)?.focus();
  }, [menu, active, pos]);

  useEffect(() => {
    if (!menu) return;
    const onDown = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) close();
    };
    const onBlur = () => close();
    window.addEventListener('mousedown', onDown, true);
    window.addEventListener('blur', onBlur);
    window.addEventListener('resize', onBlur);
    return () => {
      window.removeEventListener('mousedown', onDown, true);
      window.removeEventListener('blur', onBlur);
      window.removeEventListener('resize', onBlur);
    };
  }, [menu, close]);

  if (!menu || !vm) return null;
  const finish = (focusList: boolean) => {
    close();
    if (focusList) document.getElementById(returnFocusId)?.focus();
  };
  const activate = (it: Item) => {
    if (!it.enabled) return;
    finish(it.id !== 'console' && it.id !== 'settings' && it.id !== 'delete' && it.id !== 'move' && it.id !== 'export');
    it.run();
  };
  const move = (dir: 1 | -1 | 'first' | 'last') => {
    if (!enabledIdx.length) return;
    const at = enabledIdx.indexOf(active);
    const next = dir === 'first' ? 0 : dir === 'last' ? enabledIdx.length - 1 : (at + dir + enabledIdx.length) % enabledIdx.length;
    setActive(enabledIdx[next]!);
  };
  const onKey = (e: React.KeyboardEvent) => {
    const keys: Record<string, () => void> = {
      ArrowDown: () => move(1),
      ArrowUp: () => move(-1),
      Home: () => move('first'),
      End: () => move('last'),
      Escape: () => finish(true),
      Tab: () => finish(true),
      Enter: () => items[active] && activate(items[active]),
      ' ': () => items[active] && activate(items[active]),
    };
    const f = keys[e.key];
    if (!f) return;
    e.preventDefault();
    e.stopPropagation();
    f();
  };
  return (
    <div
      ref={ref}
      role="menu"
      aria-label={t('rowMenu.label', { name: vm.name })}
      className="row-menu"
      style={{ left: pos?.left ?? menu.x, top: pos?.top ?? menu.y, visibility: pos ? 'visible' : 'hidden' }}
      onKeyDown={onKey}
      onContextMenu={(e) => e.preventDefault()}
      data-testid="row-menu"
    >
      {items.map((it, i) => (
        <button
          key={it.id}
          type="button"
          role="menuitem"
          data-index={i}
          tabIndex={i === active ? 0 : -1}
          aria-disabled={!it.enabled || undefined}
          className={`row-menu-item${it.enabled ? '' : ' disabled'}`}
          title={it.title}
          onMouseEnter={() => it.enabled && setActive(i)}
          onClick={() => activate(it)}
          data-testid={`row-menu-${it.id}`}
        >
          <Icon name={it.icon} size={16} />
          {it.label}
        </button>
      ))}
    </div>
  );
}
