import type { Engine } from '../engine/engine';
import type { Handlers } from '../engine/handlers';

/** Cloud-init's methods (contract/cloudinit.ts) → CloudInitService. */
export function cloudInitHandlers(e: Engine) {
  return {
    'cloudinit.createVm': async (i) => e.cloudInit.createVm(i),
    'cloudinit.rerun': async (i) => e.cloudInit.rerun(i.vm),
    'cloudinit.validate': async (i) => e.cloudInit.validate(i),
    'cloudinit.sshStatus': async (i) => e.cloudInit.sshStatus(i.vm),
    'cloudinit.sshCommand': async (i) => e.cloudInit.sshCommand(i.vm, i.identityFile, i.command),
    'cloudinit.sshKeys': async () => e.cloudInit.sshKeys(),
  } satisfies Partial<Handlers>;
}
