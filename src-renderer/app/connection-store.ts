import { create } from 'zustand';
import { api, type ConnectionState } from '../api';

/** The engine connection as React state (for the status bar and the reconnect banner). */
export const useConnection = create<{ state: ConnectionState; everConnected: boolean }>()(() => ({
  state: api.connection,
  everConnected: api.connection === 'connected',
}));

api.onConnectionChange((state) => useConnection.setState((s) => ({ state, everConnected: s.everConnected || state === 'connected' })));
