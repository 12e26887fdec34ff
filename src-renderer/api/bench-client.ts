import type { MethodName, MethodInput, MethodResult, EventTopic, EventMap } from '../../src-main/api/contract';
import { syntheticHost, syntheticVms } from '../app/bench-data';
import { ApiError, type ApiClient } from './types';

/** An offline client for `?bench=N`: answers the snapshot calls with synthetic data, refuses the rest. */
export class BenchClient implements ApiClient {
  readonly kind = 'browser' as const;
  readonly connection = 'connected' as const;
  readonly vms;

  constructor(count: number) {
    this.vms = syntheticVms(count);
  }

  async call<M extends MethodName>(method: M, _input: MethodInput<M>): Promise<MethodResult<M>> {
    const answers: Partial<Record<MethodName, unknown>> = { 'vm.list': this.vms, 'host.capabilities': syntheticHost(), 'task.list': [] };
    if (method in answers) return answers[method] as MethodResult<M>;
    throw new ApiError({ code: 'UNSUPPORTED', message: `"${method}" is not available in benchmark mode.` });
  }

  on<T extends EventTopic>(_topic: T, _handler: (data: EventMap[T]) => void): () => void {
    return () => undefined;
  }

  onConnectionChange(): () => void {
    return () => undefined;
  }
}
