// A long-lived engine in its own process that imports (or downloads) one image and reports its
// progress, for tests that kill it with SIGKILL half-way.
// argv: HOME import PATH | HOME download URL — prints "TASK <id>", then "PROGRESS <0..1>" lines.
import { Engine } from '../../src-main/engine/engine';

async function main() {
  const [home, what, arg] = process.argv.slice(2) as [string, 'import' | 'download', string];
  const engine = await Engine.open({ home, watch: true });
  engine.events.subscribe((m) => {
    if (m.topic === 'task.updated') process.stdout.write(`PROGRESS ${m.data.progress ?? 0} ${m.data.state}\n`);
  });
  const { task } = what === 'import' ? await engine.call('image.import', { path: arg }) : await engine.call('image.download', { url: arg });
  process.stdout.write(`TASK ${task.id}\n`);
  setInterval(() => undefined, 1 << 30);
}

main().catch((e) => {
  process.stderr.write(`image-engine-process: ${String(e)}\n`);
  process.exit(1);
});
