import type { ApiErrorShape } from './errors';
import type { EventMessage } from './contract/events';

/**
 * The wire protocol shared by the WebSocket transport (`hangar serve`) and the engine's local
 * socket (CLI → running engine): JSON messages, one per WebSocket frame or one per line.
 * Requests carry an id; responses echo it; events have no id. Electron IPC moves the same
 * `{method, input}` → `{result} | {error}` through ipcRenderer.invoke instead.
 */
export const PROTOCOL_VERSION = 1;

export type ClientMessage = { type: 'call'; id: number; method: string; input: unknown };

export type ServerMessage =
  | { type: 'hello'; protocol: number; clientId: string; version: string }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; error: ApiErrorShape }
  | ({ type: 'event' } & EventMessage);

export function parseClientMessage(text: string): ClientMessage | null {
  try {
    const msg = JSON.parse(text) as Partial<ClientMessage>;
    if (msg && msg.type === 'call' && typeof msg.id === 'number' && typeof msg.method === 'string') return { type: 'call', id: msg.id, method: msg.method, input: msg.input ?? {} };
  } catch {
    /* fallthrough */
  }
  return null;
}
