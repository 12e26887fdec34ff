import type { z } from 'zod';

/**
 * A method of the contract: its input schema (validated in the engine, whatever the transport)
 * and, as a phantom type, its result. Transports only move `{method, input}` and `{result}|{error}`.
 */
export interface MethodDef<I extends z.ZodType, O> {
  readonly input: I;
  readonly description: string;
  /** Phantom: never set at run time, carries the result type. */
  readonly __output?: O;
}

/** `method<Result>()(inputSchema, 'what it does')` */
export function method<O>() {
  return <I extends z.ZodType>(input: I, description: string): MethodDef<I, O> => ({ input, description });
}
