import { HangarError } from '../api/errors';
import { HOTPLUG_ROOT_PORTS as HOTPLUG_PORTS } from '../qemu/argv';
import type { QmpClient } from '../qemu/qmp';

/**
 * Disk hot-plug over QMP. q35 guests get spare PCIe root ports `hp0..hp3` at boot (qemu/argv.ts,
 * HOTPLUG_ROOT_PORTS) because devices cannot be hot-plugged onto the root complex itself; on the `pc`
 * machine, PCI hot-plug works on the root bus. A hot-plugged disk is device `vdhp<N>` with the
 * block nodes `hpdisk<N>` (format) over `hpdisk<N>-file`, N = the port it sits on.
 */


interface QueryBlockEntry {
  device: string;
  qdev?: string;
  removable: boolean;
  tray_open?: boolean;
  inserted?: { file: string; 'node-name': string; drv: string; ro: boolean; image?: { filename: string } };
}

export interface BlockNode {
  nodeName: string;
  /** The guest device's id ("vd1", "vdhp0", "cd0"), from the qdev path. */
  deviceId: string | null;
  format: string;
  readOnly: boolean;
  file: string;
  removable: boolean;
}

export async function queryBlock(qmp: QmpClient): Promise<Array<BlockNode & { inserted: boolean }>> {
  const entries = await qmp.command<QueryBlockEntry[]>('query-block');
  return entries.map((e) => ({
    nodeName: e.inserted?.['node-name'] ?? '',
    deviceId: deviceIdFromQdev(e.qdev),
    format: e.inserted?.drv ?? '',
    readOnly: e.inserted?.ro ?? true,
    file: e.inserted?.image?.filename ?? e.inserted?.file ?? '',
    removable: e.removable,
    inserted: !!e.inserted,
  }));
}

/** "/machine/peripheral/vd1/virtio-backend" → "vd1"; QEMU gives a plain id ("cd0") for devices that have one. */
export function deviceIdFromQdev(qdev: string | undefined): string | null {
  if (qdev && !qdev.startsWith('/')) return qdev;
  const m = /^\/machine\/peripheral\/([^/]+)/.exec(qdev ?? '');
  return m?.[1] ?? null;
}

export async function blockNodeForFile(qmp: QmpClient, file: string): Promise<BlockNode | null> {
  return (await queryBlock(qmp)).find((b) => b.inserted && b.file === file) ?? null;
}

/** Plug a disk into a running guest as virtio-blk. Undoes its own steps when one fails. */
export async function hotplugDisk(qmp: QmpClient, opts: { file: string; format: 'qcow2' | 'raw'; readOnly: boolean; machine: 'q35' | 'pc' }): Promise<BlockNode> {
  const blocks = await queryBlock(qmp);
  if (blocks.some((b) => b.inserted && b.file === opts.file)) throw new HangarError('CONFLICT', 'This disk is already plugged into the guest.');
  const used = new Set(blocks.map((b) => /^vdhp(\d+)$/.exec(b.deviceId ?? '')?.[1]).filter((n): n is string => n !== undefined).map(Number));
  const port = [...Array(HOTPLUG_PORTS).keys()].find((n) => !used.has(n));
  if (port === undefined) throw new HangarError('RESOURCE_LIMIT', `All ${HOTPLUG_PORTS} hot-plug slots of this VM are in use: restart it (hot-plugged disks become regular disks at boot) or detach one.`);
  const node = `hpdisk${port}`;
  const deviceId = `vdhp${port}`;
  await qmp.command('blockdev-add', { driver: 'file', 'node-name': `${node}-file`, filename: opts.file, 'read-only': opts.readOnly, 'auto-read-only': false, discard: 'unmap' });
  try {
    await qmp.command('blockdev-add', { driver: opts.format, 'node-name': node, file: `${node}-file`, 'read-only': opts.readOnly });
    try {
      await qmp.command('device_add', { driver: 'virtio-blk-pci', id: deviceId, drive: node, ...(opts.machine === 'q35' ? { bus: `hp${port}` } : {}) });
    } catch (e) {
      await qmp.command('blockdev-del', { 'node-name': node }).catch(() => undefined);
      throw e;
    }
  } catch (e) {
    await qmp.command('blockdev-del', { 'node-name': `${node}-file` }).catch(() => undefined);
    throw new HangarError('QEMU_FAILED', `QEMU refused to hot-plug the disk: ${(e as Error).message}`);
  }
  return { nodeName: node, deviceId, format: opts.format, readOnly: opts.readOnly, file: opts.file, removable: false };
}

/**
 * Unplug: ask the guest to release the device, wait for DEVICE_DELETED (the guest may take a
 * while, or refuse), then remove the block nodes so QEMU lets go of the file.
 */
export async function unplugDisk(qmp: QmpClient, block: BlockNode, timeoutMs = 30000): Promise<void> {
  if (!block.deviceId) throw new HangarError('INVALID_STATE', 'This disk has no guest device to unplug.');
  const deleted = qmp.waitForEvent('DEVICE_DELETED', timeoutMs, (e) => e.data?.device === block.deviceId);
  try {
    await qmp.command('device_del', { id: block.deviceId });
  } catch (e) {
    deleted.catch(() => undefined);
    const msg = (e as Error).message;
    if (/does not support hotplugging|hotplug/i.test(msg))
      throw new HangarError('UNSUPPORTED', 'This disk was attached when the VM started and cannot be unplugged from a running q35 guest: stop the VM, then detach it.');
    throw new HangarError('QEMU_FAILED', `QEMU refused to unplug the disk: ${msg}`);
  }
  try {
    await deleted;
  } catch {
    throw new HangarError('TIMEOUT', `The guest did not release the disk within ${Math.round(timeoutMs / 1000)} s (it may be in use or the guest ignores hot-unplug). It stays attached; try again, or stop the VM and detach it.`);
  }
  await qmp.command('blockdev-del', { 'node-name': block.nodeName }).catch(() => undefined);
  const fileNode = block.nodeName.endsWith('-file') ? null : `${block.nodeName}-file`;
  if (fileNode) await qmp.command('blockdev-del', { 'node-name': fileNode }).catch(() => undefined);
}
