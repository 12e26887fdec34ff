import { useTranslation } from 'react-i18next';
import { IconButton } from '../components/Button';
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
