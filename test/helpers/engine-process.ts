// A long-lived engine in its own process, for tests that kill it with SIGKILL.
// argv: HOME NAME_A NAME_B KERNEL INITRD APPEND — creates and starts both guests, prints BOTH-RUNNING, then waits.
import { Engine } from '../../src-main/engine/engine';

async function main() {
  const [home, a, b, kernel, initrd, append] = process.argv.slice(2) as [string, string, string, string, string, string];
  const engine = await Engine.open({ home, watch: true });
  for (const name of [a, b]) {
    await engine.call('vm.create', { name, memoryMiB: 128, display: 'none', nics: [], kernel: { path: kernel, initrd, append } });
    await engine.call('vm.start', { vm: name });
  }
  process.stdout.write('BOTH-RUNNING\n');
  setInterval(() => undefined, 1 << 30);
}

main().catch((e) => {
  process.stderr.write(`engine-process: ${String(e)}\n`);
  process.exit(1);
});
