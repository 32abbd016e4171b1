#!/usr/bin/env zx
// The data paths side by side in one run (these machines are noisy: compare the ratios): the same
// topology (lab/topologies/two-links.toml, tx checksumming off on all four veths) and the same
// iperf3 check, through the embedded XDP driver, through nft DNAT, and straight to the backend
// through kernel routing (no load balancer). Rounds are interleaved so that drift hits all alike.
// Usage: zx scripts/bench-lb.mjs [--repeat 3] [--rounds 3] [--duration 5]
import os from 'node:os';
import path from 'node:path';

$.verbose = false;
const repeat = Number(argv.repeat ?? 3);
const rounds = Number(argv.rounds ?? 3);
const duration = Number(argv.duration ?? 5);
const cli = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '..', 'dist', 'src', 'cli.js');
const variants = [
  ['embedded XDP', 'lb-bench', 'embedded'],
  ['nft DNAT', 'lb-bench', 'nft'],
  ['no load balancer', 'lb-bench-direct', 'none'],
];
const samples = Object.fromEntries(variants.map(([label]) => [label, []]));
for (let r = 0; r < rounds; r++) {
  for (const [label, scenario, lb] of variants) {
    const out = await $({ nothrow: true })`node ${cli} run ${scenario} --lb ${lb} --repeat ${repeat} --set duration=${duration} --json`;
    const doc = JSON.parse(out.stdout);
    if (doc.status !== 'passed') throw new Error(`${label}: ${doc.status} ${doc.error ?? ''}`);
    samples[label].push(...doc.checks.filter((c) => c.kind === 'iperf3').map((c) => c.measurements.bits_per_second));
  }
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
console.log(`kernel ${os.release()}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}; iperf3 -t ${duration} -O 1, ${rounds} rounds × ${repeat} repeats each\n`);
console.log('| data path | median | samples (Gbit/s) | vs nft | vs no load balancer |');
console.log('|---|---|---|---|---|');
for (const [label] of variants) {
  console.log(`| ${label} | ${(m[label] / 1e9).toFixed(2)} Gbit/s | ${samples[label].map((x) => (x / 1e9).toFixed(2)).join(' ')} | ${(m[label] / m['nft DNAT']).toFixed(2)}× | ${(m[label] / m['no load balancer']).toFixed(2)}× |`);
}
