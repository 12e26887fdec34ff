// A pool for the test files that boot guests (integration, e2e, the shifted-clock runs): each job
// is its own process, `slots` at a time, and one queue instead of phases, so no lane idles at the
// end of a phase while the other finishes its longest file.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * @typedef {object} Job
 * @property {string} name        what the report calls it (a file, or a clock run)
 * @property {string} cmd
 * @property {string[] | (() => string[])} args   a function when they depend on the moment the job starts
 * @property {Record<string, string>} [env]
 * @property {number} weight      rough seconds: the heaviest start first
 * @property {'plain' | 'browser' | 'netns'} kind
 * @property {boolean} [alone]    needs both cores: runs with no other busy job
 * @property {boolean} [light]    mostly waits on purpose: takes no slot
 * @property {string} [header]    printed above its report
 */

/**
 * A job that has not ended after this long is killed with everything it started (its process
 * group) and fails with a line that says so: a file whose tests all passed but that never exits
 * (a timer or socket left behind) must fail in minutes, not hold CI until its 90-minute limit.
 * The heaviest file takes about 3 minutes on 2 cores.
 */
const JOB_LIMIT_SEC = Number(process.env.HANGAR_TEST_JOB_LIMIT_SEC ?? 900);
const groups = new Set();
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.once(sig, () => {
    for (const pid of groups) killGroup(pid);
    process.exit(130);
  });
}
function killGroup(pid) {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/**
 * Rules, from what broke before:
 * - a job that makes a network namespace adds a veth to this host's network, and Chromium aborts
 *   its in-flight requests on such a change (net::ERR_NETWORK_CHANGED): a browser job never runs
 *   beside a netns job;
 * - an `alone` job (two far hosts' live migrations timing their streams) runs with no other busy job;
 * - a `light` job (a throttled upload that waits a minute) takes no slot.
 * Among the jobs that fit, the heaviest starts first. Each job writes to a file of its own; the
 * report is printed whole when the job ends, so reports never interleave.
 * @param {Job[]} jobs
 * @returns {Promise<Array<{ job: Job, code: number, seconds: number }>>}
 */
export function runPool(jobs, { slots, cwd, logDir }) {
  const pending = [...jobs].sort((a, b) => b.weight - a.weight);
  const running = new Set();
  const results = [];
  let count = 0;
  return new Promise((resolve) => {
    const busy = () => [...running].filter((j) => !j.light);
    const fits = (job) => {
      if (job.light) return true;
      const others = busy();
      if (others.some((j) => j.alone)) return false;
      if (job.alone) return others.length === 0;
      if (others.length >= slots) return false;
      const clash = (a, b) => (a.kind === 'browser' && b.kind === 'netns') || (a.kind === 'netns' && b.kind === 'browser');
      return !others.some((j) => clash(j, job));
    };
    const next = () => {
      for (let i = 0; i < pending.length; ) {
        const job = pending[i];
        if (!fits(job)) {
          i++;
          continue;
        }
        pending.splice(i, 1);
        start(job);
      }
      if (running.size === 0 && pending.length === 0) resolve(results);
    };
    const start = (job) => {
      running.add(job);
      const log = join(logDir, `job-${++count}-${job.name.replace(/[^\w.-]+/g, '_')}.log`);
      const fd = openSync(log, 'w');
      const began = Date.now();
      const args = typeof job.args === 'function' ? job.args() : job.args;
      // its own process group, so a time-out also ends what it started (node's test runner, QEMU)
      const child = spawn(job.cmd, args, { cwd, env: { ...process.env, ...job.env }, stdio: ['ignore', fd, fd], detached: true });
      groups.add(child.pid);
      let timedOut = false;
      const limit = setTimeout(() => {
        timedOut = true;
        killGroup(child.pid);
      }, JOB_LIMIT_SEC * 1000);
      child.on('close', (code) => {
        clearTimeout(limit);
        groups.delete(child.pid);
        closeSync(fd);
        const seconds = (Date.now() - began) / 1000;
        const verdict = timedOut ? `FAILED: did not end within ${JOB_LIMIT_SEC} s (killed; HANGAR_TEST_JOB_LIMIT_SEC) after` : code === 0 ? 'passed in' : 'FAILED in';
        process.stdout.write(`\n── ${job.header ?? job.name}: ${verdict} ${seconds.toFixed(1)} s\n`);
        process.stdout.write(readFileSync(log));
        running.delete(job);
        results.push({ job, code: timedOut ? 1 : (code ?? 1), seconds });
        next();
      });
    };
    next();
  });
}
