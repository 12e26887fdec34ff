import type { Migration } from './index';

/**
 * LAN hosts over SSH: the pinned host key. The connection settings (address, port, user, key
 * path, remote folder) live in hosts.config_json; passwords and passphrases are never stored.
 */
export const hosts005: Migration = {
  version: 5,
  name: 'hosts: pinned SSH host keys',
  sql: `
    ALTER TABLE hosts ADD COLUMN host_key_fingerprint TEXT;
    ALTER TABLE hosts ADD COLUMN host_key_type TEXT;
  `,
};
