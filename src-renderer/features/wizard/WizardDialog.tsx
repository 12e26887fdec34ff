import { useEffect, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { toast } from '../../components/toast-store';
import { useUi } from '../../app/ui-store';
import { useHost } from '../host/store';
import { useMachines } from '../machines/store';
import { DiskFields } from './fields/DiskFields';
import { HardwareFields } from './fields/HardwareFields';
import { MediaFields } from './fields/MediaFields';
import { NameOsFields } from './fields/NameOsFields';
import { NetworkFields } from './fields/NetworkFields';
import { allIssues, stepIssues, stepOfField, stepsFor } from './form-logic';
import { CloudInitFields } from '../cloudinit/CloudInitFields';
import type { FormApi } from './form-api';
import { SummaryStep } from './SummaryStep';
import { useWizard } from './store';
import { WizardHostField } from '../hosts/WizardHostField';
import { OsPicker } from '../os/OsPicker';
import { OsResourceHints } from '../os/OsResourceHints';

const P = 'wizard';

/**
 * The New-VM wizard: steps with Back/Next (Enter = Next, Esc = cancel). Each step checks its
 * fields before moving on; the engine's refusals come back onto the right field and step.
 */
export function WizardDialog() {
  const { t } = useTranslation();
  const w = useWizard();
  const caps = useHost((s) => s.caps);
  const byId = useMachines((s) => s.byId);
  const close = useUi((s) => s.closeDialog);
  const bodyRef = useRef<HTMLFormElement>(null);

  const ctx = useMemo(() => ({ existing: Object.values(byId), caps }), [byId, caps]);
  const issues = useMemo(() => allIssues(w.draft, ctx), [w.draft, ctx]);
  const form: FormApi = {
    draft: w.draft,
    set: w.set,
    caps,
    error(field) {
      const server = w.serverIssues[field];
      if (server) return server;
      const issue = issues[field];
      if (!issue || !(w.touched[field] || w.attempted[stepOfField(field)])) return null;
      return t(issue.key, issue.params ?? {});
    },
  };

  const steps = stepsFor(w.draft);
  const index = steps.indexOf(w.step);
  const last = index === steps.length - 1;

  // move focus to the new step's first field, so keyboard users keep going
  useEffect(() => {
    const first = bodyRef.current?.querySelector<HTMLElement>('.wizard-step input:not([type=hidden]):not([disabled]), .wizard-step select, .wizard-step textarea');
    first?.focus();
  }, [w.step]);

  const submit = async () => {
    if (!last) {
      w.next();
      return;
    }
    const vm = await w.create();
    if (!vm) return;
    useMachines.getState().upsert(vm);
    useMachines.getState().select(vm.id);
    close();
    toast({ level: 'success', message: w.draft.startAfterCreate ? t('wizard.createdStarted', { name: vm.name }) : t('wizard.created', { name: vm.name }) });
  };

  const onKeyDown = (e: React.KeyboardEvent<HTMLFormElement>) => {
    // Enter = Next from any field except multi-line text and buttons (which Enter activates)
    const el = e.target as HTMLElement;
    if (e.key === 'Enter' && !e.shiftKey && (el.tagName === 'SELECT' || (el.tagName === 'INPUT' && !['checkbox', 'radio'].includes((el as HTMLInputElement).type)))) {
      e.preventDefault();
      void submit();
    }
  };

  return (
    <Dialog
      title={t('wizard.title')}
      onClose={close}
      size="lg"
      testId="wizard"
      footer={
        <>
          <Button onClick={close} data-testid="wizard-cancel">
            {t('common.cancel')}
          </Button>
          <span className="footer-spacer" />
          <Button onClick={w.back} disabled={index === 0 || w.creating} data-testid="wizard-back">
            {t('wizard.back')}
          </Button>
          <Button variant="primary" type="submit" form="wizard-form" busy={w.creating} disabled={w.creating} data-testid={last ? 'wizard-create' : 'wizard-next'}>
            {last ? (w.creating ? t('wizard.creating') : t('wizard.create')) : t('wizard.next')}
          </Button>
        </>
      }
    >
      <div className="wizard">
        <nav className="wizard-steps" aria-label={t('wizard.stepsLabel')}>
          <ol>
            {steps.map((s, i) => {
              const bad = (w.attempted[s] && Object.keys(stepIssues(s, w.draft, ctx)).length > 0) || Object.keys(w.serverIssues).some((f) => stepOfField(f) === s);
              return (
                <li key={s}>
                  <button type="button" className={`wizard-step-btn${s === w.step ? ' current' : ''}${i < index ? ' done' : ''}${bad ? ' bad' : ''}`} aria-current={s === w.step ? 'step' : undefined} onClick={() => w.goTo(s)} data-testid={`wizard-step-${s}`}>
                    <span className="step-num" aria-hidden="true">
                      {i + 1}
                    </span>
                    {t(`wizard.step.${s}`)}
                  </button>
                </li>
              );
            })}
          </ol>
        </nav>
        <form
          id="wizard-form"
          ref={bodyRef}
          className="wizard-step"
          noValidate
          onKeyDown={onKeyDown}
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
          aria-labelledby="wizard-step-title"
        >
          <h3 id="wizard-step-title" className="step-title">
            {t(`wizard.stepTitle.${w.step}`)}
          </h3>
          <p className="step-intro muted">{t(`wizard.stepIntro.${w.step}`)}</p>
          {w.step === 'name' && <NameOsFields form={form} testPrefix={P} onChooseOs={(f, v) => w.choosePreset(f, v)} />}
          {w.step === 'name' && <WizardHostField />}
          {w.step === 'name' && <OsPicker />}
          {w.step === 'media' && <MediaFields form={form} testPrefix={P} withKernel />}
          {w.step === 'cloudinit' && <CloudInitFields form={form} />}
          {w.step === 'hardware' && <HardwareFields form={form} testPrefix={P} firmwareDowngraded={w.firmwareDowngraded} />}
          {w.step === 'hardware' && <OsResourceHints what="hardware" />}
          {w.step === 'disk' && <DiskFields form={form} testPrefix={P} />}
          {w.step === 'disk' && <OsResourceHints what="disk" />}
          {w.step === 'network' && <NetworkFields form={form} testPrefix={P} />}
          {w.step === 'summary' && <SummaryStep form={form} generalError={w.generalError} />}
        </form>
      </div>
    </Dialog>
  );
}
