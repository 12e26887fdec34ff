import type { Host } from '../hosts/host';

/**
 * Is swtpm (Debian: swtpm + swtpm-tools) usable on a host, for TPM 2.0? Asked of swtpm itself:
 * `--print-capabilities` lists "tpm-2.0" when the build has libtpms with TPM 2.0.
 */
export const SWTPM_INSTALL_HINT = 'Install swtpm for TPM 2.0: sudo apt-get install swtpm swtpm-tools.';

export async function probeSwtpm(host: Host): Promise<{ binary: string; setup: string; version: string } | null> {
  const [binary, setup] = await Promise.all([host.which('swtpm'), host.which('swtpm_setup')]);
  if (!binary || !setup) return null;
  const [v, caps] = await Promise.all([
    host.exec(binary, ['--version'], { timeoutMs: 10000 }).catch(() => null),
    host.exec(binary, ['socket', '--tpm2', '--print-capabilities'], { timeoutMs: 10000 }).catch(() => null),
  ]);
  if (!v || v.code !== 0) return null;
  if (caps && caps.code === 0 && !caps.stdout.includes('tpm-2.0') && caps.stdout.includes('"features"')) return null;
  return { binary, setup, version: /version (\S+)/.exec(v.stdout)?.[1] ?? 'unknown' };
}
