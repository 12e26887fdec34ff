import { core001 } from './001-core';
import { images002 } from './002-images';
import { storage003 } from './003-storage';
import { metricsBilling004 } from './004-metrics-billing';
import { hosts005 } from './005-hosts';
import { networksSchedules006 } from './006-networks-schedules';
import { processOwnership007 } from './007-process-ownership';
import { imageOs010 } from './010-image-os';
import { guest013 } from './013-guest';
import { notices008 } from './008-notices';
import { backups014 } from './014-backups';
import { cloudImages012 } from './012-cloud-images';
import { scheduledBackups015 } from './015-scheduled-backups';
import { backupConsistency016 } from './016-backup-consistency';

/** A schema step. Never edit a released one: add the next number. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [core001, images002, storage003, metricsBilling004, hosts005, networksSchedules006, processOwnership007, imageOs010, guest013, notices008, backups014, cloudImages012, scheduledBackups015, backupConsistency016];
