import type { HostCapabilities } from '../../../src-main/api/contract';
import type { VmDraft } from './form-logic';

/** What a group of VM form fields needs: shared by the wizard steps and the settings dialog. */
export interface FormApi {
  draft: VmDraft;
  set(patch: Partial<VmDraft>): void;
  /** The message to show under a field (engine's sentence or the form's own check), if any. */
  error(field: string): string | null;
  /** Why fields are read-only right now (e.g. the VM is running); undefined = editable. */
  disabledReason?: string;
  caps: HostCapabilities | null;
}
