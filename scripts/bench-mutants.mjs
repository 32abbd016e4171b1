#!/usr/bin/env zx
// zonlab mutants one run at a time against --jobs N, side by side in one run (these machines are
// noisy: compare the ratio, not the times): the same scenario and mutants, the order alternating
// round by round. Each must give the same verdicts; the script prints both times and their ratio.
// Usage: zx scripts/bench-mutants.mjs [--scenario veth-netns] [--only untranslated,wrong-port] [--jobs 4] [--rounds 1]   (root)
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

$.verbose = false;
const scenario = String(argv.scenario ?? 'veth-netns');
const only = String(argv.only ?? 'untranslated,wrong-port').split(',');
const jobs = Number(argv.jobs ?? 4);
const rounds = Number(argv.rounds ?? 1);
const cli = fileURLToPath(new URL('../dist/src/cli.js', import.meta.url));

async function mutants(n) {
  const t0 = performance.now();
  const r = await $({ nothrow: true })`node ${cli} mutants ${scenario} --only ${only} --jobs ${n} --json`;
  const seconds = (performance.now() - t0) / 1000;
  if (r.exitCode !== 0) throw new Error(`mutants --jobs ${n} exited ${r.exitCode}: ${r.stderr.slice(-2000)}`);
  const verdicts = JSON.parse(r.stdout).mutants.map((m) => `${m.name} ${m.killed ? 'killed' : 'survived'}`);
  return { seconds, verdicts: verdicts.join(', ') };
}

const times = { 1: [], [jobs]: [] };
for (let i = 0; i < rounds; i++) {
  for (const n of i % 2 ? [jobs, 1] : [1, jobs]) {
    const r = await mutants(n);
    times[n].push(r.seconds);
    console.log(`round ${i + 1}, --jobs ${n}: ${r.seconds.toFixed(0)} s (${r.verdicts})`);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(
  `${scenario} --only ${only.join(' ')}: --jobs 1 ${median(times[1]).toFixed(0)} s, --jobs ${jobs} ${median(times[jobs]).toFixed(0)} s: ${(median(times[1]) / median(times[jobs])).toFixed(2)}× faster`,
);
