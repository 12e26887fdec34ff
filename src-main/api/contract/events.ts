import type { EngineText } from '../messages';
import type { VmState } from './vm';
import type { TaskInfo } from './tasks';
import type { MetricsSampleEvent } from './metrics';

/**
 * Events the engine pushes to every client. Stores apply small ones directly (state, progress)
 * and re-fetch on `*.changed` invalidations (the Podman Desktop pattern).
 */
export interface EventMap {
  /** `reasonText`: the reason's code and parameters (api/messages.ts), for the UI's language. */
  'vm.state': { id: string; state: VmState; reason: string | null; at: string; reasonText?: EngineText | null };
  /** A VM was created, changed or deleted: re-fetch it. */
  'vm.changed': { id: string; deleted?: boolean };
  'task.updated': TaskInfo;
  /** Pools, volumes or a VM's snapshots changed: re-fetch them. */
  'storage.changed': { what: 'pool' | 'volume' | 'snapshot'; id: string; vmId?: string; deleted?: boolean };
  /** An image was imported, changed, verified or deleted: re-fetch the library. */
  'image.changed': { id: string; deleted?: boolean };
  /** An internal network was created or deleted: re-fetch the list. */
  'network.changed': { id: string; deleted?: boolean };
  /** A schedule was added, changed or removed, or one of its runs started or ended: re-fetch. */
  'schedule.changed': { id: string; deleted?: boolean };
  /** A LAN host went online, offline or is connecting (with the reason in words). */
  'host.state': { id: string; state: 'online' | 'connecting' | 'offline'; reason: string | null; at: string };
  /** A host was added or removed: re-fetch the list. */
  'host.changed': { id: string; deleted?: boolean };
  /** A live statistics sample of a VM (vmId) or a host (vmId null): 1 s while watched, else 10 s. */
  'metrics.sample': MetricsSampleEvent;
  /** Bytes from a channel, base64; sent only to the client that opened it. */
  'channel.data': { channelId: string; data: string };
  /** The channel ended (VM stopped, shell exited); `reason` says why in words. */
  'channel.closed': { channelId: string; reason: string };
  /** Something the user should see once (e.g. "KVM unavailable, using TCG: slower"). */
  notice: { level: 'info' | 'warning' | 'error'; message: string; key?: string; text?: EngineText };
}
export type EventTopic = keyof EventMap;
export type EventMessage = { [T in EventTopic]: { topic: T; data: EventMap[T] } }[EventTopic];

/** Topics only delivered to the client that owns the resource (not broadcast). */
export const PRIVATE_TOPICS: ReadonlySet<EventTopic> = new Set(['channel.data', 'channel.closed']);
