import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { HangarError } from '../api/errors';
import { execOk, type Host } from '../hosts/host';

/**
 * The NoCloud seed as an ISO 9660 image labelled `cidata`, written by xorriso on this computer.
 *
 * Why xorriso: it is what `cloud-localds` itself runs (genisoimage or xorriso), but called with an
 * argv array we control, without the cloud-image-utils shell wrapper; Hangar's tests already need
 * it (the test guest's ISO), and it writes Joliet + Rock Ridge names exactly as cloud-init's
 * NoCloud reader expects. The bytes are then copied to the VM's host through the Host seam, so a
 * LAN host needs no xorriso.
 */
export async function makeSeedIso(local: Host, files: Array<{ name: string; text: string }>): Promise<Buffer> {
  if (!(await local.which('xorriso')))
    throw new HangarError('MISSING_DEPENDENCY', 'xorriso is needed to write the cloud-init seed: install the "xorriso" package (apt-get install xorriso).');
  const dir = path.join(await local.hangarHome(), 'tmp', `cidata-${randomUUID()}`);
  await local.fs.mkdir(dir, 0o700);
  try {
    for (const f of files) await local.fs.writeFileAtomic(path.join(dir, f.name), f.text, 0o600);
    const iso = path.join(dir, 'seed.iso');
    await execOk(local, 'xorriso', ['-as', 'genisoimage', '-quiet', '-output', iso, '-volid', 'cidata', '-joliet', '-rock', ...files.map((f) => path.join(dir, f.name))], { timeoutMs: 60000 });
    return await local.fs.readFile(iso);
  } finally {
    await local.fs.rm(dir, { recursive: true });
  }
}
