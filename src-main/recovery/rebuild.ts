import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import type { Db } from '../db/database';
import type { SetAside } from '../db/open-checked';
import { parseVmJson } from '../db/repositories/vm-row-check';
import type { Host } from '../hosts/host';
import { detectImage } from '../images/detect';
import { RebuildRepository } from './rebuild-repo';
import { runtimeRoot, vmPaths } from '../qemu/paths';
import { isQemuAlive, readPid } from '../qemu/supervisor';

/**
 * Rebuilding the inventory after hangar.db was found damaged and moved aside (db/open-checked.ts):
 * the VMs from the `vm.json` in each VM folder (vm.json is written atomically at every change, so it
 * is the VM's own record), the image library from its folder (format by content, SHA-256 again),
 * the links from VM overlays to their library images (`qemu-img info` backing file), and the pools
 * and volumes from the default pool folder and the folders VM disks point into.
 * What exists only in the database (LAN hosts, networks, schedules, plans, history) is listed as not
 * recovered. Only this computer's files are seen: LAN hosts are not reachable without their rows.
 */
export interface RecoveryReport {
  file: string;
  movedTo: string;
  problem: string;
  at: string;
  recovered: { vms: string[]; images: string[]; pools: string[]; volumes: string[] };
  notRecovered: string[];
}

const VOLUME_RE = /^volume-([0-9a-f-]{36})\.(qcow2|raw)$/;
const LIBRARY_RE = /^([0-9a-f-]{36})\.([a-z0-9]+)$/;

async function list(host: Host, dir: string): Promise<string[]> {
  return host.fs.readdir(dir).catch(() => [] as string[]);
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

export async function rebuildInventory(db: Db, host: Host, setAside: SetAside, qemuImg: string): Promise<RecoveryReport> {
  const home = await host.hangarHome();
  const report: RecoveryReport = {
    file: setAside.file,
    movedTo: setAside.movedTo,
    problem: setAside.problem.detail,
    at: setAside.at,
    recovered: { vms: [], images: [], pools: [], volumes: [] },
    notRecovered: [],
  };
  const rows = new RebuildRepository(db, new Date().toISOString());

  // ---- the image library (first, so overlays can be linked to their images)
  const libDir = path.join(home, 'images');
  const imageByPath = new Map<string, string>();
  for (const name of await list(host, libDir)) {
    if (name.startsWith('.') || name === 'uploads' || name.endsWith('.part') || name.endsWith('.part.json')) continue;
    const file = path.join(libDir, name);
    const m = LIBRARY_RE.exec(name);
    const st = await host.fs.stat(file);
    if (!st?.isFile) continue;
    if (!m) {
      report.notRecovered.push(`${file}: not named like a library file; left alone`);
      continue;
    }
    try {
      const d = await detectImage(host, qemuImg, file, st.size);
      const sum = await host.exec('sha256sum', [file], { timeoutMs: 30 * 60_000 });
      const sha = sum.code === 0 ? (sum.stdout.split(/\s+/)[0] ?? '') : '';
      const label = d.volumeLabel ?? `recovered-${m[1]!.slice(0, 8)}`;
      const imageName = rows.uniqueName('images', label);
      rows.insertImage({ id: m[1]!, name: imageName, format: d.format, path: file, virtualSize: d.virtualSize, actualSize: d.actualSize, sha256: sha, volumeLabel: d.volumeLabel ?? null, createdAt: new Date(st.mtimeMs).toISOString() });
      imageByPath.set(file, m[1]!);
      report.recovered.images.push(imageName);
    } catch (e) {
      report.notRecovered.push(`${file}: ${message(e)}`);
    }
  }

  // ---- VMs
  const vmsDir = path.join(home, 'vms');
  const runRoot = runtimeRoot(home, (await host.info()).uid);
  const volumeDirs = new Set<string>();
  const networks = new Map<string, string[]>();
  for (const id of await list(host, vmsDir)) {
    const dir = path.join(vmsDir, id);
    if (!(await host.fs.stat(dir))?.isDirectory) continue;
    let text: string;
    try {
      text = (await host.fs.readFile(path.join(dir, 'vm.json'))).toString('utf8');
    } catch (e) {
      report.notRecovered.push(`VM folder ${dir}: no readable vm.json (${message(e)}); its files are untouched`);
      continue;
    }
    const parsed = parseVmJson(text);
    if (!parsed.ok) {
      report.notRecovered.push(`VM folder ${dir}: ${parsed.reason}; its files are untouched`);
      continue;
    }
    const spec = parsed.spec;
    if (rows.hasVm(spec.id)) {
      report.notRecovered.push(`VM folder ${dir}: its vm.json repeats the id of another VM (${spec.id})`);
      continue;
    }
    spec.name = rows.uniqueName('vms', spec.name);
    const paths = vmPaths(home, runRoot, spec.id);
    const pid = await readPid(host, { ...paths, dir, pidFile: path.join(dir, 'qemu.pid') });
    const alive = pid !== null && (await isQemuAlive(host, pid, spec.id));
    rows.insertVm(spec, dir, alive ? pid : null);
    report.recovered.vms.push(spec.name);
    for (const nic of spec.nics) if (nic.mode === 'internal' && nic.network) networks.set(nic.network, [...(networks.get(nic.network) ?? []), spec.name]);
    for (const disk of spec.disks) {
      if (!disk.owned && VOLUME_RE.test(path.basename(disk.path))) volumeDirs.add(path.dirname(disk.path));
      if (!disk.owned || disk.format !== 'qcow2') continue;
      const info = await host.exec(qemuImg, ['info', '-U', '--output=json', disk.path], { timeoutMs: 60_000 });
      if (info.code !== 0) continue;
      const backing = (JSON.parse(info.stdout) as { 'full-backing-filename'?: string; 'backing-filename'?: string });
      const b = backing['full-backing-filename'] ?? backing['backing-filename'];
      const imageId = b ? imageByPath.get(path.resolve(path.dirname(disk.path), b)) : undefined;
      if (imageId) rows.linkDiskToImage(spec.id, disk.path, imageId);
    }
  }

  // ---- pools and volumes
  const defaultPool = path.join(home, 'pools', 'default');
  const poolDirs = [...((await host.fs.stat(defaultPool))?.isDirectory ? [defaultPool] : []), ...[...volumeDirs].filter((d) => d !== defaultPool)];
  let n = 0;
  for (const dir of poolDirs) {
    const isDefault = dir === defaultPool;
    const poolName = rows.uniqueName('storage_pools', isDefault ? 'default' : `recovered-${++n}`);
    const poolId = randomUUID();
    rows.insertPool(poolId, poolName, dir, isDefault);
    report.recovered.pools.push(`${poolName} (${dir})`);
    for (const file of await list(host, dir)) {
      const m = VOLUME_RE.exec(file);
      if (!m) continue;
      const volName = rows.uniqueName('volumes', `volume-${m[1]!.slice(0, 8)}`);
      rows.insertVolume(m[1]!, volName, poolId, file, m[2]!);
      report.recovered.volumes.push(volName);
    }
  }

  for (const [net, users] of networks) report.notRecovered.push(`internal network "${net}" (used by ${users.join(', ')}): create it again with hangar network create ${net}`);
  report.notRecovered.push(
    'LAN hosts, networks, schedules, billing plans, usage and metrics history, task history, the names of images and volumes, and the snapshot tree (these live only in the database; the snapshots themselves are still inside the qcow2 disks)',
  );
  return report;
}

/** The report in English sentences (CLI stderr, the notice, `hangar doctor`). Pure. */
export function reportText(r: RecoveryReport): string {
  const names = (xs: string[]) => (xs.length ? `: ${xs.join(', ')}` : '');
  return [
    `Hangar's database ${r.file} was damaged (${r.problem}). It was moved aside to ${r.movedTo} and a new one was rebuilt from the files on disk.`,
    `Recovered ${r.recovered.vms.length} VM(s)${names(r.recovered.vms)}; ${r.recovered.images.length} image(s)${names(r.recovered.images)}; ${r.recovered.pools.length} pool(s)${names(r.recovered.pools)}; ${r.recovered.volumes.length} volume(s).`,
    ...r.notRecovered.map((x) => `Not recovered: ${x}.`),
    `The damaged copy is kept; delete ${r.movedTo} when you no longer need it. \`hangar doctor\` shows this again.`,
  ].join('\n');
}
