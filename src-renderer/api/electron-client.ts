import type { HangarBridge } from '../../src-main/api/bridge';
import type { MethodName, MethodInput, MethodResult, EventTopic, EventMap } from '../../src-main/api/contract';
import { ApiError, Emitter, type ApiClient, type ConnectionState } from './types';

/** The desktop face: calls and events go through the preload bridge (Electron IPC). */
export class ElectronClient implements ApiClient {
  readonly kind = 'electron' as const;
  readonly connection: ConnectionState = 'connected';
  private readonly events = new Emitter();

  constructor(private readonly bridge: HangarBridge) {
    bridge.onEvent((msg) => this.events.emit(msg.topic, msg.data));
  }

  async call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodResult<M>> {
    let reply: Awaited<ReturnType<HangarBridge['call']>>;
    try {
      reply = await this.bridge.call(method, input);
    } catch (e) {
      // IPC itself failed: the app's main process (where the engine runs) is gone or quitting
      throw new ApiError({
        code: 'HOST_UNREACHABLE',
        message: `The Hangar engine (the desktop app's main process) stopped while this window was waiting for "${method}": restart Hangar. (${e instanceof Error ? e.message : String(e)})`,
      });
    }
    if (!reply.ok) throw new ApiError(reply.error);
    return reply.result as MethodResult<M>;
  }

  on<T extends EventTopic>(topic: T, handler: (data: EventMap[T]) => void): () => void {
    return this.events.on(topic, handler as (d: unknown) => void);
  }

  /** IPC never drops while the window lives. */
  onConnectionChange(): () => void {
    return () => undefined;
  }

  pickFile(options: { title?: string; filters?: Array<{ name: string; extensions: string[] }> }): Promise<string | null> {
    return this.bridge.pickFile(options);
  }

  pathForFile(file: File): string | null {
    return this.bridge.pathForFile?.(file) || null;
  }
}
