import { lazy } from 'react';

/**
 * Views that load their code when first shown, not at start. Why: the window must paint the
 * machine list fast (first render with 1,000 machines < 100 ms, test/bench/ui.bench.ts), and
 * the dialogs and pages below carry most of the renderer's code, including the zod contract
 * (form validation) and the YAML parser (cloud-init). Each is rendered under a <Suspense>.
 */
export const WizardDialog = lazy(() => import('../features/wizard/WizardDialog').then((m) => ({ default: m.WizardDialog })));
export const SettingsDialog = lazy(() => import('../features/settings/SettingsDialog').then((m) => ({ default: m.SettingsDialog })));
export const DeleteDialog = lazy(() => import('../features/machines/DeleteDialog').then((m) => ({ default: m.DeleteDialog })));
export const PreferencesDialog = lazy(() => import('../features/preferences/PreferencesDialog').then((m) => ({ default: m.PreferencesDialog })));
export const HostsDialog = lazy(() => import('../features/hosts/HostsDialog').then((m) => ({ default: m.HostsDialog })));
export const ImagesPage = lazy(() => import('../features/images/ImagesPage').then((m) => ({ default: m.ImagesPage })));
export const StoragePage = lazy(() => import('../features/storage/StoragePage').then((m) => ({ default: m.StoragePage })));
export const TaskPanel = lazy(() => import('../features/tasks/TaskPanel').then((m) => ({ default: m.TaskPanel })));
export const ExportDialog = lazy(() => import('../features/appliances/ExportDialog').then((m) => ({ default: m.ExportDialog })));
export const MoveDialog = lazy(() => import('../features/move/MoveDialog').then((m) => ({ default: m.MoveDialog })));
export const ImportApplianceDialog = lazy(() => import('../features/appliances/ImportApplianceDialog').then((m) => ({ default: m.ImportApplianceDialog })));
// the selected machine's pane: rendered after the list anyway (App.tsx, useDeferredValue)
export const MachineDetails = lazy(() => import('../features/machines/MachineDetails').then((m) => ({ default: m.MachineDetails })));
