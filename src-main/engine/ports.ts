import type { MethodName, MethodResult } from '../api/contract';
import type { CallContext } from './handlers';

/**
 * The one thing a service may ask of the Engine itself: a call through the contract (so every
 * check and lock of that method applies, as for any client). Services that start VMs, create or
 * delete them through the contract receive this, never the whole `Engine` (the only composition
 * root, engine.ts); each domain's ports.ts names the rest of what it uses.
 */
export interface EngineCalls {
  call<M extends MethodName>(method: M, input: unknown, ctx?: CallContext): Promise<MethodResult<M>>;
}
