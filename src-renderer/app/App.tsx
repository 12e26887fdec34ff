import { Suspense, useDeferredValue } from 'react';
import { useTranslation } from 'react-i18next';
import logoUrl from '../../assets/hangar.svg';
import { Button } from '../components/Button';
import { EmptyState } from '../components/EmptyState';
import { Icon } from '../components/Icon';
import { Splitter } from '../components/Splitter';
import { Toaster } from '../components/Toaster';
import { HostSummary } from '../features/host/HostSummary';
import { HostsNavButton } from '../features/hosts/HostsNavButton';
import { MachineList } from '../features/machines/MachineList';
import { useMachines } from '../features/machines/store';
import { Toolbar } from '../features/machines/Toolbar';
import { LIST_WIDTH, usePreferences } from '../features/preferences/store';
import { openNewVmWizard } from '../features/wizard/open';
import { DeleteDialog, HostsDialog, ImagesPage, MachineDetails, PreferencesDialog, SettingsDialog, StoragePage, TaskPanel, WizardDialog } from './lazy-views';
import { ConfirmDialog } from './ConfirmDialog';
import { useConnection } from './connection-store';
import { ShortcutsDialog } from './ShortcutsDialog';
import { useGlobalShortcuts } from './shortcuts';
import { StatusBar } from './StatusBar';
import { useApplyTheme } from './theme';
import { useUi } from './ui-store';
import { ConsoleRoute, useRoute } from '../features/consoles/ConsoleRoutes';
import { StorageNav } from '../features/storage/StorageNav';
import { OpsNav, OpsPageOr } from '../features/schedules/OpsNav';
import { useStorage } from '../features/storage/store';
import { UsageNav, UsagePageOr } from '../features/usage/UsageNav';
import { ImagesNav } from '../features/images/ImagesNav';
import { useImages } from '../features/images/store';
import { OsCatalogNav, OsCatalogPageOr } from '../features/os/CatalogNav';

function Dialogs() {
  const dialog = useUi((s) => s.dialog);
  if (!dialog) return null;
  switch (dialog.kind) {
    case 'wizard':
      return <WizardDialog />;
    case 'settings':
      return <SettingsDialog vmId={dialog.vmId} />;
    case 'delete':
      return <DeleteDialog vmId={dialog.vmId} />;
    case 'preferences':
      return <PreferencesDialog />;
    case 'shortcuts':
      return <ShortcutsDialog />;
    case 'hosts':
      return <HostsDialog />;
    case 'confirm':
      return <ConfirmDialog {...dialog} />;
  }
}

/** First run: nothing to list yet, so the whole right side invites creating a machine. */
function NoMachines() {
  const { t } = useTranslation();
  return (
    <div className="details-pane">
      <EmptyState testId="empty-state" title={t('empty.title')} art={<img src={logoUrl} alt="" width={96} height={96} />}>
        <p className="muted">{t('empty.text')}</p>
        <Button variant="primary" icon="plus" className="btn-large" onClick={openNewVmWizard} data-testid="empty-new">
          {t('empty.button')}
        </Button>
      </EmptyState>
    </div>
  );
}

function RightPane() {
  const { t } = useTranslation();
  const loaded = useMachines((s) => s.loaded);
  const loadError = useMachines((s) => s.loadError);
  const empty = useMachines((s) => Object.keys(s.byId).length === 0);
  const load = useMachines((s) => s.load);
  // The list paints first: the selected machine's details (its thumbnail, guest and disk facts)
  // follow in the next, interruptible render, so they never hold back the rows.
  const detailsReady = useDeferredValue(loaded, false);
  if (!loaded) {
    return (
      <div className="details-pane">
        <EmptyState title={loadError ? t('app.loadFailed') : t('app.loading')}>
          {loadError && (
            <>
              <p className="muted">{loadError}</p>
              <Button onClick={() => void load()}>{t('common.retry')}</Button>
            </>
          )}
        </EmptyState>
      </div>
    );
  }
  if (empty) return <NoMachines />;
  return detailsReady ? <MachineDetails /> : <div className="details-pane" aria-busy="true" />;
}

/** `#/console/<vm>` and `#/host-shell` open a console alone in its window; anything else is the app. */
export function App() {
  const route = useRoute();
  return route.kind === 'main' ? <MainWindow /> : <ConsoleRoute route={route} />;
}

function MainWindow() {
  const { t } = useTranslation();
  useApplyTheme();
  useGlobalShortcuts();
  const listWidth = usePreferences((s) => s.listWidth);
  const setListWidth = usePreferences((s) => s.setListWidth);
  const taskPanelOpen = useUi((s) => s.taskPanelOpen);
  const storagePage = useStorage((s) => s.pageOpen);
  const imagesPage = useImages((s) => s.pageOpen);
  const connection = useConnection((s) => s.state);
  const everConnected = useConnection((s) => s.everConnected);
  return (
    <div className="app">
      <Toolbar />
      {connection === 'reconnecting' && (
        <div className="banner banner-warning" role="status" data-testid="reconnecting">
          <Icon name="plug" size={16} />
          {everConnected ? t('app.reconnecting') : t('app.connecting')}
        </div>
      )}
      <div className="main">
        <aside className="sidebar" style={{ width: listWidth }} aria-label={t('list.label')}>
          <MachineList />
          <ImagesNav />
          <OsCatalogNav />
          <StorageNav />
          <OpsNav />
          <UsageNav />
          <HostSummary />
          <HostsNavButton />
        </aside>
        <Splitter value={listWidth} min={LIST_WIDTH.min} max={LIST_WIDTH.max} onChange={setListWidth} label={t('app.resizeList')} />
        <main className="content">
          <Suspense fallback={null}>
            <OsCatalogPageOr fallback={<OpsPageOr fallback={<UsagePageOr fallback={imagesPage ? <ImagesPage /> : storagePage ? <StoragePage /> : <RightPane />} />} />} />
          </Suspense>
        </main>
        <Suspense fallback={null}>{taskPanelOpen && <TaskPanel />}</Suspense>
      </div>
      <StatusBar />
      <Suspense fallback={null}>
        <Dialogs />
      </Suspense>
      <Toaster />
    </div>
  );
}
