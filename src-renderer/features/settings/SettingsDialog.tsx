import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { OsFamily, VmInfo } from '../../../src-main/api/contract';
import { api, ApiError, errorMessage } from '../../api';
import { Button } from '../../components/Button';
import { DialogActions } from '../../components/DialogActions';
import { Dialog } from '../../components/Dialog';
import { Icon, type IconName } from '../../components/Icon';
import { toast } from '../../components/toast-store';
import { useUi } from '../../app/ui-store';
import { useHost } from '../host/store';
import { useMachines } from '../machines/store';
import { isEditable } from '../machines/vm-actions';
import { HardwareFields } from '../wizard/fields/HardwareFields';
import { MediaFields } from '../wizard/fields/MediaFields';
import { NameOsFields } from '../wizard/fields/NameOsFields';
import { NetworkFields } from '../wizard/fields/NetworkFields';
import { SharedFoldersSection } from '../guest/SharedFoldersSection';
import { GuestSettingsFields } from '../guest/GuestSettingsFields';
import { normalizeField, type VmDraft } from '../wizard/form-logic';
import type { FormApi } from '../wizard/form-api';
import { SETTINGS_SECTIONS, draftFromVm, hasChanges, sectionOfField, settingsIssues, toUpdateInput, type SettingsSection } from './settings-logic';

const SECTION_ICONS: Record<SettingsSection, IconName> = { general: 'info', system: 'cpu', media: 'disc', network: 'network', shares: 'folder', guest: 'plug' };
const P = 'settings';

/** Settings of one VM (vm.update). While the VM runs the fields are read-only, and say why. */
export function SettingsDialog({ vmId }: { vmId: string }) {
  const vm = useMachines((s) => s.byId[vmId]);
  const close = useUi((s) => s.closeDialog);
  // the VM was deleted meanwhile (another window, the CLI)
  useEffect(() => {
    if (!vm) close();
  }, [vm, close]);
  if (!vm) return null;
  return <SettingsForm vm={vm} onClose={close} />;
}

function SettingsForm({ vm, onClose }: { vm: VmInfo; onClose(): void }) {
  const { t } = useTranslation();
  const caps = useHost((s) => s.caps);
  const byId = useMachines((s) => s.byId);
  const [draft, setDraft] = useState<VmDraft>(() => draftFromVm(vm));
  const [section, setSection] = useState<SettingsSection>('general');
  const [serverIssues, setServerIssues] = useState<Record<string, string>>({});
  const [generalError, setGeneralError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [attempted, setAttempted] = useState(false);

  const editable = isEditable(vm.state);
  const ctx = useMemo(() => ({ existing: Object.values(byId), caps, exceptId: vm.id }), [byId, caps, vm.id]);
  const issues = useMemo(() => settingsIssues(draft, ctx), [draft, ctx]);

  const form: FormApi = {
    draft,
    caps,
    set(patch) {
      setDraft((d) => ({ ...d, ...patch }));
      setServerIssues({});
      setGeneralError(null);
    },
    error(field) {
      if (serverIssues[field]) return serverIssues[field];
      const issue = issues[field];
      // port-forward rows: only once the user tried to save (half-typed rows are not errors yet)
      if (!issue || (field.startsWith('nics') && !attempted)) return null;
      return t(issue.key, issue.params ?? {});
    },
    ...(editable ? {} : { disabledReason: t('settings.shutDownFirst') }),
  };

  const save = async () => {
    setAttempted(true);
    const first = Object.keys(issues)[0];
    if (first) {
      setSection(sectionOfField(first));
      return;
    }
    const input = toUpdateInput(draft, vm);
    if (!hasChanges(input)) return onClose();
    setSaving(true);
    try {
      useMachines.getState().upsert(await api.call('vm.update', input));
      onClose();
      toast({ level: 'success', message: t('settings.saved', { name: draft.name }) });
    } catch (e) {
      const field = e instanceof ApiError && e.field ? normalizeField(e.field) : null;
      if (field) {
        setServerIssues({ [field]: errorMessage(e) });
        setSection(sectionOfField(field));
      } else setGeneralError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  };

  const chooseOs = (family: OsFamily, variant: string) => form.set({ family, variant });
  const sectionHasIssue = (s: SettingsSection) => Object.keys(serverIssues).some((f) => sectionOfField(f) === s) || Object.keys(issues).some((f) => sectionOfField(f) === s && (attempted || !f.startsWith('nics')));

  return (
    <Dialog
      title={t('settings.title', { name: vm.name })}
      onClose={onClose}
      size="lg"
      testId="settings"
      footer={
        <DialogActions onCancel={onClose}>
          <Button variant="primary" type="submit" form="settings-form" busy={saving} disabled={!editable || saving} data-testid="settings-save">
            {t('common.save')}
          </Button>
        </DialogActions>
      }
    >
      <div className="wizard">
        <nav className="wizard-steps" aria-label={t('settings.sections')}>
          <ol>
            {SETTINGS_SECTIONS.map((s) => (
              <li key={s}>
                <button type="button" className={`wizard-step-btn${s === section ? ' current' : ''}${sectionHasIssue(s) ? ' bad' : ''}`} aria-current={s === section ? 'page' : undefined} onClick={() => setSection(s)} data-testid={`settings-section-${s}`}>
                  <Icon name={SECTION_ICONS[s]} size={16} />
                  {t(`settings.section.${s}`)}
                </button>
              </li>
            ))}
          </ol>
        </nav>
        <form
          id="settings-form"
          className="wizard-step"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          {!editable && (
            <div className="callout callout-warning" role="note" data-testid="settings-locked">
              <Icon name="warning" size={20} />
              <p>{t('settings.shutDownFirst')}</p>
            </div>
          )}
          {generalError && (
            <div className="callout callout-error" role="alert" data-testid="settings-error">
              <Icon name="error" size={20} />
              <p>{generalError}</p>
            </div>
          )}
          <fieldset className="plain-fieldset" disabled={!editable}>
            {section === 'general' && (
              <>
                <NameOsFields form={form} testPrefix={P} onChooseOs={chooseOs} />
                <label className="checkbox">
                  <input type="checkbox" checked={draft.autostart} onChange={(e) => form.set({ autostart: e.target.checked })} data-testid="settings-autostart" />
                  {t('fields.autostartLong')}
                </label>
              </>
            )}
            {section === 'system' && <HardwareFields form={form} testPrefix={P} />}
            {section === 'media' && <MediaFields form={form} testPrefix={P} withKernel={false} />}
            {section === 'network' && <NetworkFields form={form} testPrefix={P} />}
            {section === 'shares' && <SharedFoldersSection vm={vm} editable={editable} />}
            {section === 'guest' && <GuestSettingsFields form={form} />}
          </fieldset>
        </form>
      </div>
    </Dialog>
  );
}
