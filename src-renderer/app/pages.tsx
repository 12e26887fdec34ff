import { useTranslation } from 'react-i18next';
import { IconButton } from '../components/Button';
import { Icon, type IconName } from '../components/Icon';
import { useImages } from '../features/images/store';
import { useOpsPage } from '../features/schedules/ops-page';
import { useStorage } from '../features/storage/store';
import { useUsage } from '../features/usage/store';

/**
 * The pages that replace the machine details (Images, Storage, Networks, Schedules, Host
 * performance, Usage). Closing them all brings the selected machine back: the close button of
 * every page, and a click on a machine row even when that machine is already selected (the
 * stores only closed them when the selection *changed*).
 */
export function closePages(): void {
  if (useImages.getState().pageOpen) useImages.setState({ pageOpen: false });
  if (useStorage.getState().pageOpen) useStorage.setState({ pageOpen: false });
  if (useOpsPage.getState().page) useOpsPage.setState({ page: null });
  if (useUsage.getState().page) useUsage.setState({ page: null });
}

/** The close button of a page header (same look as the Images and Storage pages'). */
export function PageCloseButton() {
  const { t } = useTranslation();
  return <IconButton icon="close" label={t('common.close')} onClick={closePages} data-testid="page-close" />;
}

/** The header of an operations page: close button, icon, title, and the one-line hint under it. */
export function PageHeader({ icon, title, hint, children }: { icon: IconName; title: string; hint?: string; children?: React.ReactNode }) {
  return (
    <>
      <div className="ops-header">
        <PageCloseButton />
        <Icon name={icon} size={22} />
        <h1>{title}</h1>
        {children}
      </div>
      {hint && <p className="ops-hint">{hint}</p>}
    </>
  );
}
