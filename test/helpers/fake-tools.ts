import * as fs from 'node:fs';
import type { ExecCall, FakeHost, ScriptedResult } from './fake-host';

/**
 * Scripted programs for FakeHost, kept consistent with the files in its folder:
 * - `qemu-img` (create with or without a backing file, info with --backing-chain, resize,
 *   convert -p with progress, snapshot -c/-a/-d, check): a disk image is a small JSON file
 *   recording its format, virtual size, backing file, snapshots and (for tests) corruptions;
 *   any other file is "raw" of its own size, as qemu-img says of unknown content;
 * - `qemu-system-x86_64`: --version and the KVM/machines probe (`-qmp stdio`), TCG only;
 * - `chmod` and `cp`: really change the mode, really copy (inside the folder).
 * Arguments are read as qemu-img reads them, so a wrong argv fails here as it would there.
 */
export interface FakeImage {
  fakeImage: 1;
  format: string;
  virtualSize: number;
  backing: { file: string; format: string } | null;
  snapshots: Array<{ id: string; name: string; vmStateBytes: number; dateSec: number }>;
  /** `qemu-img check` reports this many damaged clusters. */
  corruptions: number;
}

export function writeFakeImage(file: string, image: Partial<FakeImage> & { format: string; virtualSize: number }): void {
  const full: FakeImage = { fakeImage: 1, backing: null, snapshots: [], corruptions: 0, ...image };
  fs.writeFileSync(file, JSON.stringify(full) + '\n');
}

export function readFakeImage(file: string): FakeImage | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<FakeImage>;
    return parsed.fakeImage === 1 ? (parsed as FakeImage) : null;
  } catch {
    return null;
  }
}

const fail = (stderr: string, code = 1): ScriptedResult => ({ code, stderr: `qemu-img: ${stderr}\n` });

function infoOf(file: string): { format: string; 'virtual-size': number; 'actual-size': number; filename: string; 'backing-filename'?: string; snapshots?: unknown[] } | null {
  if (!fs.existsSync(file)) return null;
  const size = fs.statSync(file).size;
  const img = readFakeImage(file);
  if (!img) return { filename: file, format: 'raw', 'virtual-size': size, 'actual-size': size };
  return {
    filename: file,
    format: img.format,
    'virtual-size': img.virtualSize,
    'actual-size': size,
    ...(img.backing ? { 'backing-filename': img.backing.file } : {}),
    ...(img.snapshots.length ? { snapshots: img.snapshots.map((s) => ({ id: s.id, name: s.name, 'vm-state-size': s.vmStateBytes, 'date-sec': s.dateSec })) } : {}),
  };
}

/** Options with a value, as qemu-img's getopt takes them. */
function parse(args: string[], withValue: string[]): { opts: Map<string, string | true>; rest: string[] } {
  const opts = new Map<string, string | true>();
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith('-') && a !== '-') {
      if (withValue.includes(a)) opts.set(a, args[++i] ?? '');
      else opts.set(a, true);
    } else rest.push(a);
  }
  return { opts, rest };
}

export function qemuImg(call: ExecCall, host: FakeHost): ScriptedResult {
  const [sub, ...args] = call.args;
  const outside = (f: string) => !host.inside(f) && !host.outside.has(f);
  switch (sub) {
    case '--version':
      return { stdout: 'qemu-img version 8.2.2 (Debian 1:8.2.2+ds-0ubuntu1)\n' };
    case 'info': {
      const { opts, rest } = parse(args, ['-f']);
      const file = rest[0]!;
      const top = host.inside(file) ? infoOf(file) : null;
      if (!top) return fail(`Could not open '${file}': Could not open '${file}': No such file or directory`);
      if (!opts.has('--backing-chain')) return { stdout: JSON.stringify(top) };
      const chain = [top];
      for (let b = top['backing-filename']; b && chain.length < 16; ) {
        const layer = infoOf(b);
        if (!layer) return fail(`Could not open backing file: Could not open '${b}': No such file or directory`);
        chain.push(layer);
        b = layer['backing-filename'];
      }
      return { stdout: JSON.stringify(chain) };
    }
    case 'create': {
      const { opts, rest } = parse(args, ['-f', '-F', '-b', '-o']);
      const [file, sizeArg] = rest;
      if (!file || outside(file)) return fail(`${file}: Could not create '${file}': Permission denied`);
      const format = String(opts.get('-f') ?? 'raw');
      const base = opts.get('-b');
      let virtualSize = sizeArg ? Number(sizeArg) : NaN;
      if (typeof base === 'string') {
        const b = infoOf(base);
        if (!b) return fail(`${file}: Could not open backing file: Could not open '${base}': No such file or directory`);
        if (!opts.has('-F')) return fail(`${file}: Backing file specified without backing format`);
        if (Number.isNaN(virtualSize)) virtualSize = b['virtual-size'];
      }
      if (Number.isNaN(virtualSize)) return fail('Image creation needs a size parameter');
      writeFakeImage(file, { format, virtualSize, backing: typeof base === 'string' ? { file: base, format: String(opts.get('-F')) } : null });
      return {};
    }
    case 'resize': {
      const { opts, rest } = parse(args, ['-f']);
      const [file, sizeArg] = rest;
      const img = file && host.inside(file) ? readFakeImage(file) : null;
      if (!img) return fail(`Could not open '${file}': No such file or directory`);
      const size = Number(sizeArg);
      if (size < img.virtualSize && !opts.has('--shrink')) return fail('Use the --shrink option to perform a shrink operation.');
      writeFakeImage(file!, { ...img, virtualSize: size });
      return {};
    }
    case 'convert': {
      const { opts, rest } = parse(args, ['-f', '-O', '-o']);
      const [src, dst] = rest;
      const s = src ? infoOf(src) : null;
      if (!s) return fail(`Could not open '${src}': Could not open '${src}': No such file or directory`);
      if (!dst || !host.inside(dst)) return fail(`${dst}: error while converting: Permission denied`);
      writeFakeImage(dst, { format: String(opts.get('-O') ?? 'raw'), virtualSize: s['virtual-size'] });
      return opts.has('-p') ? { stdout: '    (0.00/100%)\r    (50.00/100%)\r    (100.00/100%)\r' } : {};
    }
    case 'snapshot': {
      const { opts, rest } = parse(args, ['-c', '-a', '-d']);
      const file = rest[0]!;
      const img = host.inside(file) ? readFakeImage(file) : null;
      if (!img) return fail(`Could not open '${file}': No such file or directory`);
      const [op, name] = [...opts.entries()][0] as [string, string];
      const found = img.snapshots.find((x) => x.name === name);
      if (op === '-c') img.snapshots.push({ id: String(img.snapshots.length + 1), name, vmStateBytes: 0, dateSec: Math.floor(Date.now() / 1000) });
      else if (!found) return fail(`Could not ${op === '-a' ? 'apply' : 'delete'} snapshot '${name}': Can't find the snapshot`);
      else if (op === '-d') img.snapshots = img.snapshots.filter((x) => x !== found);
      writeFakeImage(file, img);
      return {};
    }
    case 'check': {
      const { rest } = parse(args, ['-f']);
      const img = readFakeImage(rest[0]!);
      if (img && img.corruptions > 0) return { code: 2, stdout: JSON.stringify({ corruptions: img.corruptions, 'check-errors': 0 }), stderr: `ERROR cluster 5 refcount=0 reference=1\n` };
      return { stdout: JSON.stringify({ 'check-errors': 0 }) };
    }
    default:
      return fail(`Command not found: ${sub}`);
  }
}

/** QEMU's answers to Hangar's probe: version, and under `-qmp stdio` the KVM state and machine types (TCG host). */
function qemuSystem(call: ExecCall): ScriptedResult {
  if (call.args[0] === '--version') return { stdout: 'QEMU emulator version 8.2.2 (Debian 1:8.2.2+ds-0ubuntu1)\n' };
  if (call.args.includes('-qmp') && call.args.includes('stdio')) {
    const lines = [
      { QMP: { version: { qemu: { major: 8, minor: 2, micro: 2 } }, capabilities: [] } },
      { return: {} },
      { return: { enabled: false, present: false } },
      { return: [{ name: 'pc-q35-8.2', alias: 'q35' }, { name: 'pc-i440fx-8.2', alias: 'pc' }, { name: 'microvm' }] },
      { return: {} },
    ];
    return { stdout: lines.map((l) => JSON.stringify(l)).join('\n') + '\n' };
  }
  return { code: 1, stderr: 'qemu-system-x86_64: fake host: unexpected probe\n' };
}

function chmod(call: ExecCall, host: FakeHost): ScriptedResult {
  const [mode, file] = call.args;
  if (!file || !host.inside(file)) return { code: 1, stderr: `chmod: cannot access '${file}': Operation not permitted\n` };
  fs.chmodSync(file, Number.parseInt(mode!, 8));
  return {};
}

/** `cp [opts] -- SRC DST`: a real copy, inside the folder only. */
function cp(call: ExecCall, host: FakeHost): ScriptedResult {
  const [src, dst] = call.args.filter((a) => !a.startsWith('-'));
  if (!src || !dst || !host.inside(src) || !host.inside(dst)) return { code: 1, stderr: `cp: cannot create regular file '${dst}': Permission denied\n` };
  if (!fs.existsSync(src)) return { code: 1, stderr: `cp: cannot stat '${src}': No such file or directory\n` };
  fs.copyFileSync(src, dst);
  return {};
}

/** A FakeHost with QEMU and qemu-img "installed" (TCG only, no swtpm, no OVMF). */
export function withQemuTools(host: FakeHost): FakeHost {
  host.programs.add('qemu-system-x86_64');
  host.programs.add('qemu-img');
  host.on('qemu-img', qemuImg);
  host.on('qemu-system-x86_64', qemuSystem);
  host.on('chmod', chmod);
  host.programs.add('cp');
  host.on('cp', cp);
  return host;
}
