import type { HangarBridge } from '../../src-main/api/bridge';
import { benchCount } from '../app/bench-data';
import { BenchClient } from './bench-client';
import { ElectronClient } from './electron-client';
import { WebSocketClient, apiUrl } from './ws-client';
import type { ApiClient } from './types';

declare global {
  interface Window {
    hangarBridge?: HangarBridge;
  }
}

function createClient(): ApiClient {
  const bench = benchCount(window.location.search);
  if (bench) return new BenchClient(bench);
  if (window.hangarBridge) return new ElectronClient(window.hangarBridge);
  return new WebSocketClient(apiUrl(window.location));
}

/** The one engine client of this window. Feature code imports this and never asks which face it is. */
export const api: ApiClient = createClient();

export { ApiError, errorMessage } from './types';
export type { ApiClient, ConnectionState } from './types';
