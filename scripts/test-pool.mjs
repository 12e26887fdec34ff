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
      const child = spawn(job.cmd, args, { cwd, env: { ...process.env, ...job.env }, stdio: ['ignore', fd, fd] });
      child.on('close', (code) => {
        closeSync(fd);
        const seconds = (Date.now() - began) / 1000;
        process.stdout.write(`\n── ${job.header ?? job.name}: ${code === 0 ? 'passed' : 'FAILED'} in ${seconds.toFixed(1)} s\n`);
        process.stdout.write(readFileSync(log));
        running.delete(job);
        results.push({ job, code: code ?? 1, seconds });
        next();
      });
    };
    next();
  });
}
