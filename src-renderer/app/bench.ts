/**
 * Benchmark hook for the UI with many machines (read by the bench script, `npm run bench`).
 *
 * Open the built renderer with `?perf=1`: the page records User Timing entries. The bench
 * (test/bench/ui.bench.ts) injects a fake `window.hangarBridge` with N synthetic machines
 * (app/bench-data.ts) through an init script: nothing of the bench ships in the bundle.
 * Entries:
 *
 *   - `hangar:first-render` (measure): from navigation start (time 0) to the machine list's
 *     first commit that shows rows.
 *   - `hangar:rows-painted` (mark): the frame that shows those rows was painted (the next
 *     animation frame after the commit, then a message-channel task: that runs after the paint).
 *   - `hangar:filter` (measure, one per keystroke): from the filter box's input event
 *     (event.timeStamp) to the next commit of the list after it applied the new filter.
 *
 * Read them with `performance.getEntriesByName('hangar:filter', 'measure')`.
 */
export const PERF_MARKS = new URLSearchParams(window.location.search).has('perf');

let firstRenderDone = false;
let pendingFilterStart: number | null = null;

/** Called by the filter box's input handler with the event's timestamp. */
export function noteFilterInput(eventTimeStamp: number): void {
  if (PERF_MARKS && pendingFilterStart === null) pendingFilterStart = eventTimeStamp;
}

/** Called from the machine list's layout effect (after React committed the rows to the DOM). */
export function noteListCommit(rowCount: number): void {
  if (!PERF_MARKS) return;
  const now = performance.now();
  if (!firstRenderDone && rowCount > 0) {
    firstRenderDone = true;
    performance.measure('hangar:first-render', { start: 0, end: now });
    requestAnimationFrame(() => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => performance.mark('hangar:rows-painted');
      ch.port2.postMessage(null);
    });
  }
  if (pendingFilterStart !== null) {
    performance.measure('hangar:filter', { start: pendingFilterStart, end: now });
    pendingFilterStart = null;
  }
}
