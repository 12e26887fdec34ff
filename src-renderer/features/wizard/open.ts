/**
 * Open the New-VM wizard from anywhere without loading it at start: the wizard's store pulls in
 * the form validation (zod contract) and cloud-init (YAML), which the first paint does not need.
 */
export function openNewVmWizard(): void {
  void import('./store').then((m) => m.openNewVmWizard());
}
