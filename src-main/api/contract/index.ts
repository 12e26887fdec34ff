import type { z } from 'zod';
import type { MethodDef } from './define';
import { vmMethods } from './vm';
import { taskMethods } from './tasks';
import { channelMethods } from './channels';
import { consoleMethods } from './consoles';
import { storageMethods } from './storage';
import { imageMethods } from './images';
import { networkMethods } from './networks';
import { scheduleMethods } from './schedules';
import { hostMethods } from './hosts';
import { metricsMethods } from './metrics';
import { billingMethods } from './billing';
import { osMethods } from './os';
import { guestMethods } from './guest';
import { recoveryMethods } from './recovery';
import { applianceMethods } from './appliances';
import { backupMethods } from './backups';
import { diskFactsMethods } from './disk-facts';
import { cloudInitMethods } from './cloudinit';
import { moveMethods } from './move';

/**
 * The whole contract: every method the engine offers, to Electron IPC, the WebSocket server
 * and the CLI alike. Add a domain by writing `contract/<domain>.ts` and spreading it here.
 */
export const contract = {
  ...vmMethods,
  ...taskMethods,
  ...channelMethods,
  ...consoleMethods,
  ...storageMethods,
  ...imageMethods,
  ...networkMethods,
  ...scheduleMethods,
  ...hostMethods,
  ...metricsMethods,
  ...billingMethods,
  ...osMethods,
  ...guestMethods,
  ...recoveryMethods,
  ...applianceMethods,
  ...backupMethods,
  ...diskFactsMethods,
  ...cloudInitMethods,
  ...moveMethods,
} as const;

export type Contract = typeof contract;
export type MethodName = keyof Contract;
type DefOf<M extends MethodName> = Contract[M];
export type MethodInput<M extends MethodName> = DefOf<M> extends MethodDef<infer I, unknown> ? z.input<I> : never;
export type ParsedInput<M extends MethodName> = DefOf<M> extends MethodDef<infer I, unknown> ? z.output<I> : never;
export type MethodResult<M extends MethodName> = DefOf<M> extends MethodDef<z.ZodType, infer O> ? O : never;

export function isMethodName(name: unknown): name is MethodName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(contract, name);
}

export * from './events';
export * from './vm';
export * from './tasks';
export * from './channels';
export * from './consoles';
export * from './storage';
export * from './images';
export * from './networks';
export * from './schedules';
export * from './hosts';
export * from './metrics';
export * from './billing';
export * from './os';
export * from './guest';
export * from './recovery';
export * from './appliances';
export * from './backups';
export * from './cloudinit';
export { objectName, NAME_MAX } from './common';
export * from './move';
