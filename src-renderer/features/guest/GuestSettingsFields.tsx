import { useTranslation } from 'react-i18next';
import { Icon } from '../../components/Icon';
import type { FormApi } from '../wizard/form-api';

/**
 * Settings → Guest integration: the guest agent's channel and the vdagent clipboard (both change
 * QEMU's devices, so they apply at the next start). The clipboard says what it costs: QEMU cannot
 * migrate a qemu-vdagent chardev, so such a VM takes no RAM snapshots and does not move live.
 * The display adapter: virtio-vga lets the console's Resize change the guest's resolution.
 */
export function GuestSettingsFields({ form }: { form: FormApi }) {
  const { t } = useTranslation();
  const d = form.draft;
  const vnc = d.display === 'vnc';
  return (
    <div className="guest-settings" data-testid="settings-guest">
      <label className="checkbox">
        <input type="checkbox" checked={d.guestAgent !== false} onChange={(e) => form.set({ guestAgent: e.target.checked })} data-testid="settings-guest-agent" />
        {t('guestIntegration.agent')}
      </label>
      <p className="field-hint">{t('guestIntegration.agentHint')}</p>
      <label className="checkbox">
        <input type="checkbox" checked={vnc && d.clipboard === true} disabled={!vnc} onChange={(e) => form.set({ clipboard: e.target.checked })} data-testid="settings-clipboard" />
        {t('guestIntegration.clipboard')}
      </label>
      <p className="field-hint">{vnc ? t('guestIntegration.clipboardHint') : t('guestIntegration.clipboardNoDisplay')}</p>
      {vnc && d.clipboard === true && (
        <div className="callout callout-warning" role="note" data-testid="settings-clipboard-limits">
          <Icon name="warning" size={20} />
          <p>{t('guestIntegration.clipboardLimits')}</p>
        </div>
      )}
      <label>
        {t('guestIntegration.video')}
        <select value={d.video ?? 'std'} disabled={!vnc} onChange={(e) => form.set({ video: e.target.value === 'virtio' ? 'virtio' : 'std' })} data-testid="settings-video">
          <option value="std">{t('guestIntegration.videoStd')}</option>
          <option value="virtio">{t('guestIntegration.videoVirtio')}</option>
        </select>
      </label>
      <p className="field-hint">{t('guestIntegration.videoHint')}</p>
      <p className="field-hint">{t('guestIntegration.restartHint')}</p>
    </div>
  );
}
