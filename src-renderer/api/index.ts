import type { HangarBridge } from '../../src-main/api/bridge';
import { ElectronClient } from './electron-client';
import { WebSocketClient, apiUrl } from './ws-client';
import type { ApiClient } from './types';

declare global {
  interface Window {
    hangarBridge?: HangarBridge;
  }
}

function createClient(): ApiClient {
  if (window.hangarBridge) return new ElectronClient(window.hangarBridge);
  return new WebSocketClient(apiUrl(window.location));
}

/** The one engine client of this window. Feature code imports this and never asks which face it is. */
export const api: ApiClient = createClient();

export { ApiError, errorMessage } from './types';
export type { ApiClient, ConnectionState } from './types';
