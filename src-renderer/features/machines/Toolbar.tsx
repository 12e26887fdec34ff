import { Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon, type IconName } from '../../components/Icon';
import { useUi } from '../../app/ui-store';
import { openNewVmWizard } from '../wizard/open';
import { useApplianceImport } from '../appliances/import-store';
import { useMoveDialog } from '../move/move-store';
import { useExportDialog } from '../appliances/export-store';
import { ExportDialog, ImportApplianceDialog, MoveDialog } from '../../app/lazy-views';
import { runPowerAction } from './actions';
import { selectSelectedVm, useMachines } from './store';
import { canDo } from './vm-actions';

function ToolButton({ icon, label, testId, disabled, onClick, busy }: { icon: IconName; label: string; testId: string; disabled: boolean; onClick(): void; busy?: boolean }) {
  return (
    <button type="button" className="tool-btn" data-testid={testId} disabled={disabled} onClick={onClick} title={label} aria-busy={busy || undefined}>
      {busy ? <span className="spinner" aria-hidden="true" /> : <Icon name={icon} size={22} />}
      <span className="tool-label">{label}</span>
    </button>
  );
}

/** The main toolbar (VirtualBox Manager layout): every action enabled only when the selected VM's state allows it. */
export function Toolbar() {
  const { t } = useTranslation();
  const vm = useMachines(selectSelectedVm);
  const busy = useMachines((s) => (vm ? s.busy[vm.id] : undefined));
  const openDialog = useUi((s) => s.openDialog);
  const state = vm?.state;
  const locked = busy !== undefined;
  const paused = state === 'paused';
  const importing = useApplianceImport((s) => s.open);
  const moving = useMoveDialog((s) => s.vmId);
  const exporting = useExportDialog((s) => s.vmId);

  const confirmThen = (kind: 'kill' | 'reset') => {
    if (!vm) return;
    openDialog({
      kind: 'confirm',
      title: t(`confirm.${kind}.title`, { name: vm.name }),
      message: t(`confirm.${kind}.message`),
      confirmLabel: t(kind === 'kill' ? 'toolbar.kill' : 'toolbar.reset'),
      onConfirm: () => void runPowerAction(vm, kind),
    });
  };

  return (
    <div className="toolbar" role="toolbar" aria-label={t('toolbar.label')}>
      <ToolButton icon="plus" label={t('toolbar.new')} testId="tb-new" disabled={false} onClick={openNewVmWizard} />
      <ToolButton icon="folder" label={t('appliances.toolbarImport')} testId="tb-import-appliance" disabled={false} onClick={() => useApplianceImport.getState().show(true)} />
      <ToolButton icon="sliders" label={t('toolbar.settings')} testId="tb-settings" disabled={!vm} onClick={() => vm && openDialog({ kind: 'settings', vmId: vm.id })} />
      <span className="toolbar-sep" aria-hidden="true" />
      <ToolButton icon="play" label={t('toolbar.start')} testId="tb-start" disabled={locked || !canDo('start', state)} busy={busy === 'start'} onClick={() => vm && void runPowerAction(vm, 'start')} />
      <ToolButton icon="power" label={t('toolbar.stop')} testId="tb-stop" disabled={locked || !canDo('stop', state)} busy={busy === 'stop'} onClick={() => vm && void runPowerAction(vm, 'stop')} />
      <ToolButton
        icon={paused ? 'play' : 'pause'}
        label={paused ? t('toolbar.resume') : t('toolbar.pause')}
        testId="tb-pause"
        disabled={locked || !(canDo('pause', state) || canDo('resume', state))}
        busy={busy === 'pause' || busy === 'resume'}
        onClick={() => vm && void runPowerAction(vm, paused ? 'resume' : 'pause')}
      />
      <ToolButton icon="reset" label={t('toolbar.reset')} testId="tb-reset" disabled={locked || !canDo('reset', state)} busy={busy === 'reset'} onClick={() => confirmThen('reset')} />
      <ToolButton icon="stop" label={t('toolbar.kill')} testId="tb-kill" disabled={!canDo('kill', state) || busy === 'kill'} busy={busy === 'kill'} onClick={() => confirmThen('kill')} />
      <span className="toolbar-sep" aria-hidden="true" />
      <ToolButton icon="network" label={t('move.toolbar')} testId="tb-move" disabled={!vm || locked} onClick={() => vm && useMoveDialog.getState().show(vm.id)} />
      <ToolButton icon="trash" label={t('toolbar.delete')} testId="tb-delete" disabled={locked || !canDo('delete', state)} onClick={() => vm && openDialog({ kind: 'delete', vmId: vm.id })} />
      <span className="toolbar-spacer" />
      <button type="button" className="icon-btn" aria-label={t('shortcuts.title')} title={`${t('shortcuts.title')} (?)`} data-testid="tb-help" onClick={() => openDialog({ kind: 'shortcuts' })}>
        <Icon name="help" size={20} />
      </button>
      <button type="button" className="icon-btn" aria-label={t('preferences.title')} title={t('preferences.title')} data-testid="tb-preferences" onClick={() => openDialog({ kind: 'preferences' })}>
        <Icon name="gear" size={20} />
      </button>
      <Suspense fallback={null}>
        {importing && <ImportApplianceDialog />}
        {moving && <MoveDialog vmId={moving} />}
      </Suspense>
      {exporting && (
        <Suspense fallback={null}>
          <ExportDialog vmId={exporting} />
        </Suspense>
      )}
    </div>
  );
}
