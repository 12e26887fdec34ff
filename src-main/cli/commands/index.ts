import type { Command } from 'commander';
import { registerHostCommands } from './hosts';
import { registerImageCommands } from './images';
import { registerNetworkCommands } from './networks';
import { registerScheduleCommands } from './schedules';
import { registerCompletionCommands } from './completion';
import { registerStatsCommands } from './stats';
import { registerBillingCommands } from './billing';
import { registerStorageCommands } from './storage';
import { registerOsCommands } from './os';
import { registerGuestCommands } from './guest';
import { registerVmSetCommands } from './vm-set';
import { registerApplianceCommands } from './appliances';
import { registerBackupCommands } from './backups';
import { registerCloudInitCommands } from './cloudinit';
import { registerVmMoveCommands } from './vm-move';

/**
 * Commands of the later domains (images, storage, hosts, stats, schedules, ...), one module each:
 * `export function registerXCommands(program: Command): void`, added to this list.
 * Shared helpers (withClient, print, parseInteger, UsageError) come from '../common'.
 */
export const domainCommands: Array<(program: Command) => void> = [registerImageCommands, registerNetworkCommands, registerScheduleCommands, registerCompletionCommands, registerHostCommands, registerStatsCommands, registerBillingCommands, registerStorageCommands, registerOsCommands, registerGuestCommands, registerVmSetCommands, registerApplianceCommands, registerBackupCommands, registerCloudInitCommands, registerVmMoveCommands];
