import type { EventMap, EventTopic, MethodName, MethodInput, MethodResult } from '../../src-main/api/contract';
import type { ApiErrorShape, ErrorCode } from '../../src-main/api/errors';
import type { EngineText } from '../../src-main/api/messages';
import { engineText } from '../i18n/engine-text';

export type ConnectionState = 'connected' | 'reconnecting';

/**
 * What feature code sees of the engine, whichever transport carries it (Electron preload or
 * WebSocket). Feature code must never branch on the transport except through `kind` for
 * things only one face has (the native file picker).
 */
export interface ApiClient {
  readonly kind: 'electron' | 'browser';
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodResult<M>>;
  on<T extends EventTopic>(topic: T, handler: (data: EventMap[T]) => void): () => void;
  onConnectionChange(cb: (state: ConnectionState) => void): () => void;
  readonly connection: ConnectionState;
  /** Native file picker; only the Electron face has one. */
  pickFile?(options: { title?: string; filters?: Array<{ name: string; extensions: string[] }> }): Promise<string | null>;
  /** The host path of a dropped file; only the Electron face has one (a browser has only the bytes). */
  pathForFile?(file: File): string | null;
}

/** A failed call: the engine's code, its sentence for a person, and structured details. */
export class ApiError extends Error implements ApiErrorShape {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;
  readonly text?: EngineText;
  constructor(shape: ApiErrorShape) {
    super(shape.message);
    this.name = 'ApiError';
    this.code = shape.code;
    if (shape.details) this.details = shape.details;
    if (shape.text) this.text = shape.text;
  }

  /** The input field the engine blamed (`details.field`), e.g. "isoPath" or "nics.0.portForwards.1.hostPort". */
  get field(): string | null {
    const f = this.details?.field;
    return typeof f === 'string' && f.length > 0 ? f : null;
  }
}

/** Anything thrown → a sentence fit for a toast (never a stack trace). */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return engineText(err.message, err.text);
  if (err instanceof Error) return err.message.split('\n')[0] ?? String(err);
  return String(err);
}

/** Small typed pub/sub shared by both clients. */
export class Emitter {
  private readonly handlers = new Map<string, Set<(data: unknown) => void>>();
  on(topic: string, h: (data: unknown) => void): () => void {
    let set = this.handlers.get(topic);
    if (!set) this.handlers.set(topic, (set = new Set()));
    set.add(h);
    return () => set.delete(h);
  }
  emit(topic: string, data: unknown): void {
    for (const h of this.handlers.get(topic) ?? []) {
      try {
        h(data);
      } catch (e) {
        console.error(`Handler for "${topic}" failed`, e);
      }
    }
  }
}
