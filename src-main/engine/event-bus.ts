import type { EventMap, EventMessage, EventTopic } from '../api/contract';

export type EventListener = (message: EventMessage, targetClientId: string | null) => void;

/**
 * Typed engine events. A message with a target goes only to that client (channel data);
 * the rest is broadcast. Transports subscribe once and forward.
 */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  emit<T extends EventTopic>(topic: T, data: EventMap[T], targetClientId: string | null = null): void {
    const message = { topic, data } as EventMessage;
    for (const l of this.listeners) {
      try {
        l(message, targetClientId);
      } catch {
        // one broken transport must not stop the others
      }
    }
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
