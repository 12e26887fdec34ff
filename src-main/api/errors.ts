import { recognize, type EngineText } from './messages';
/**
 * Typed errors that cross the API boundary. Every failure a user can see carries a
 * stable `code` (for programs and tests) and a `message` written for a person:
 * what went wrong and, where we know it, what to do about it. Stack traces stay in the engine log.
 */
export const ERROR_CODES = [
  'INVALID_INPUT', // input failed schema validation
  'NOT_FOUND', // no such VM / image / volume / host
  'CONFLICT', // duplicate name, object in use
  'INVALID_STATE', // e.g. starting a running VM
  'RESOURCE_LIMIT', // more memory or CPUs than the host has
  'MISSING_DEPENDENCY', // qemu not installed, OVMF missing
  'QEMU_FAILED', // QEMU refused to start or died
  'TIMEOUT',
  'CANCELLED',
  'UNAUTHORIZED',
  'HOST_UNREACHABLE',
  'IO_ERROR',
  'UNSUPPORTED',
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The wire shape of an error: what transports send and clients receive. */
export interface ApiErrorShape {
  code: ErrorCode;
  message: string;
  /** Optional structured detail, e.g. the failing field for INVALID_INPUT. */
  details?: Record<string, unknown>;
  /** The message's code and parameters when it is one of the engine's sentences (api/messages.ts). */
  text?: EngineText;
}

export class HangarError extends Error implements ApiErrorShape {
  constructor(
    public readonly code: ErrorCode,
    message: string,
    public readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'HangarError';
  }

  toJSON(): ApiErrorShape {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }
}

/** Turn anything thrown into the wire shape, hiding internals behind INTERNAL. */
export function toApiError(err: unknown): ApiErrorShape {
  const shape = toApiErrorShape(err);
  const text = shape.text ?? recognize(shape.message);
  return text ? { ...shape, text } : shape;
}

function toApiErrorShape(err: unknown): ApiErrorShape {
  if (err instanceof HangarError) return err.toJSON();
  if (isApiErrorShape(err)) return { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message: `Internal error: ${message}` };
}

export function isApiErrorShape(value: unknown): value is ApiErrorShape {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    (ERROR_CODES as readonly string[]).includes((value as { code: string }).code) &&
    typeof (value as { message?: unknown }).message === 'string'
  );
}

export const notFound = (what: string, ref: string) => new HangarError('NOT_FOUND', `No ${what} named or with id "${ref}".`);
