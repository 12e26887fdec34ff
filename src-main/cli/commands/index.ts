import type { Command } from 'commander';

/**
 * Commands of the later domains (images, storage, hosts, stats, schedules, ...), one module each:
 * `export function registerXCommands(program: Command): void`, added to this list.
 * Shared helpers (withClient, print, parseInteger, UsageError) come from '../common'.
 */
export const domainCommands: Array<(program: Command) => void> = [];
