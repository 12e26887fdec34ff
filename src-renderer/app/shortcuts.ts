import { useEffect } from 'react';
import { runPowerAction } from '../features/machines/actions';
import { LIST_ID, SEARCH_INPUT_ID } from '../features/machines/MachineList';
import { moveSelection, visibleVms } from '../features/machines/list-logic';
import { useMachines } from '../features/machines/store';
import { canDo } from '../features/machines/vm-actions';
import { openNewVmWizard } from '../features/wizard/open';
import { useUi } from './ui-store';

const MOVES: Record<string, Parameters<typeof moveSelection>[2]> = { ArrowUp: 'up', ArrowDown: 'down', Home: 'first', End: 'last', PageUp: 'pageUp', PageDown: 'pageDown' };

function focusSearch() {
  const el = document.getElementById(SEARCH_INPUT_ID) as HTMLInputElement | null;
  el?.focus();
  el?.select();
}

/**
 * Window-wide keys (see shortcut-list.ts). Dialogs own the keyboard while open; single keys
 * ("/", Delete, Enter, arrows) are ignored while typing in a field.
 */
export function useGlobalShortcuts(): void {
  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.defaultPrevented || useUi.getState().dialog) return;
      const ui = useUi.getState();
      const machines = useMachines.getState();
      const vm = machines.selectedId ? machines.byId[machines.selectedId] : undefined;
      const target = e.target as HTMLElement;
      const typing = target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
      const mod = e.ctrlKey || e.metaKey;
      const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;

      if (mod && !e.altKey && key === 'n') {
        e.preventDefault();
        openNewVmWizard();
      } else if (mod && key === ',') {
        e.preventDefault();
        if (vm) ui.openDialog({ kind: 'settings', vmId: vm.id });
      } else if (mod && key === 'f') {
        e.preventDefault();
        focusSearch();
      } else if (typing || mod || e.altKey) {
        return;
      } else if (key === '/') {
        e.preventDefault();
        focusSearch();
      } else if (key === '?') {
        e.preventDefault();
        ui.openDialog({ kind: 'shortcuts' });
      } else if (key === 'Delete') {
        if (vm && canDo('delete', vm.state)) {
          e.preventDefault();
          ui.openDialog({ kind: 'delete', vmId: vm.id });
        }
      } else if (MOVES[key] && !target.closest('[role=tablist],[role=toolbar]')) {
        e.preventDefault();
        // computed on demand: subscribing the shell to the filtered list would re-render it on every keystroke
        const ids = visibleVms(Object.values(machines.byId), machines.filter, machines.sort, machines.sortDescending).map((v) => v.id);
        const next = moveSelection(ids, machines.selectedId, MOVES[key]!);
        if (next) machines.select(next);
        if (target === document.body) document.getElementById(LIST_ID)?.focus();
      } else if (key === 'Enter' && !target.closest('button,a,summary,[role=tab]')) {
        if (vm && canDo('start', vm.state)) {
          e.preventDefault();
          void runPowerAction(vm, 'start');
        }
      }
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, []);
}
