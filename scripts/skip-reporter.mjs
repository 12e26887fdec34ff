// A node:test reporter that records every skipped or todo test (one JSON line each), so that
// scripts/run-tests.mjs can fail the run on a skip whose reason is not on its short allowlist.
export default async function* skipReporter(source) {
  for await (const ev of source) {
    if (ev.type !== 'test:pass' && ev.type !== 'test:fail') continue;
    const { skip, todo, name, file } = ev.data;
    if (skip === undefined && todo === undefined) continue;
    yield `${JSON.stringify({ name, file, skip: skip ?? null, todo: todo ?? null })}\n`;
  }
}
