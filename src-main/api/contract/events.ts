import type { VmState } from './vm';
import type { TaskInfo } from './tasks';

/**
 * Events the engine pushes to every client. Stores apply small ones directly (state, progress)
 * and re-fetch on `*.changed` invalidations (the Podman Desktop pattern).
 */
export interface EventMap {
  'vm.state': { id: string; state: VmState; reason: string | null; at: string };
  /** A VM was created, changed or deleted: re-fetch it. */
  'vm.changed': { id: string; deleted?: boolean };
  'task.updated': TaskInfo;
  /** Bytes from a channel, base64; sent only to the client that opened it. */
  'channel.data': { channelId: string; data: string };
  /** The channel ended (VM stopped, shell exited); `reason` says why in words. */
  'channel.closed': { channelId: string; reason: string };
  /** Something the user should see once (e.g. "KVM unavailable, using TCG: slower"). */
  notice: { level: 'info' | 'warning' | 'error'; message: string; key?: string };
}
export type EventTopic = keyof EventMap;
export type EventMessage = { [T in EventTopic]: { topic: T; data: EventMap[T] } }[EventTopic];

/** Topics only delivered to the client that owns the resource (not broadcast). */
export const PRIVATE_TOPICS: ReadonlySet<EventTopic> = new Set(['channel.data', 'channel.closed']);
