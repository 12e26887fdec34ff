import { PRIVATE_TOPICS, type EventMessage } from '../api/contract/events';
import type { EventBus } from './event-bus';

/**
 * One client's view of the EventBus, for every face (Electron IPC, the WebSocket, engine.sock and
 * the CLI's in-process engine): broadcast events, plus the events targeted at this client; a
 * private topic (a console's bytes) without a target reaches nobody, since broadcasting it would
 * hand one user's console to every client.
 */
export function eventIsFor(clientId: string, message: EventMessage, target: string | null): boolean {
  if (target !== null) return target === clientId;
  return !PRIVATE_TOPICS.has(message.topic);
}

/** Subscribe one client; returns the unsubscribe function. A throwing `deliver` does not break the bus. */
export function subscribeClient(bus: Pick<EventBus, 'subscribe'>, clientId: string, deliver: (message: EventMessage) => void): () => void {
  return bus.subscribe((message, target) => {
    if (eventIsFor(clientId, message, target)) deliver(message);
  });
}
