#!/usr/bin/env zx
// The data paths side by side in one run (these machines are noisy: compare the ratios), the same
// iperf3 check each time, rounds interleaved so that drift hits all alike:
// - veth-netns (the README: a backend on the load balancer's own loopback), the embedded driver
//   against nft DNAT with the client's own offloads, and with the client's TSO off for both (what
//   native XDP on veth0 forces); the embedded driver forced into generic and native XDP as references;
// - lb-bench (the two-link shape, tx checksumming off on all four veths): the embedded driver, nft
//   DNAT, and straight to the backend through kernel routing (no load balancer, lb-bench-direct).
// Usage: zx scripts/bench-lb.mjs [--repeat 3] [--rounds 3] [--duration 5] [--only veth-netns|lb-bench]
import os from 'node:os';
import path from 'node:path';

$.verbose = false;
const repeat = Number(argv.repeat ?? 3);
const rounds = Number(argv.rounds ?? 3);
const duration = Number(argv.duration ?? 5);
const cli = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '..', 'dist', 'src', 'cli.js');
const groups = [
  {
    name: 'veth-netns',
    title: 'veth-netns (zone1 → VIP 10.0.0.1:23 on veth0 → 127.0.0.23:223 on lo)',
    variants: [
      { label: 'embedded (tc: every backend is local)', lb: 'embedded', tso: 'on' },
      { label: 'nft DNAT', lb: 'nft', tso: 'on' },
      { label: 'embedded (tc)', lb: 'embedded', tso: 'off' },
      { label: 'nft DNAT', lb: 'nft', tso: 'off' },
      { label: 'embedded forced into generic XDP', lb: 'embedded', tso: 'on', env: { ZONLAB_XDP_MODE: 'generic' } },
      { label: 'embedded forced into native XDP (TSO off by the veth driver)', lb: 'embedded', tso: 'on', env: { ZONLAB_XDP_MODE: 'native' } },
    ],
  },
  {
    name: 'lb-bench',
    title: 'lb-bench (zone0 → VIP 10.0.0.1:23 → 10.2.0.2:223 in zone2, tx checksumming off on all veths)',
    variants: [
      { label: 'embedded XDP (native)', lb: 'embedded' },
      { label: 'nft DNAT', lb: 'nft' },
      { label: 'kernel routing, no load balancer', lb: 'none', scenario: 'lb-bench-direct' },
    ],
  },
].filter((g) => !argv.only || g.name === argv.only);

const samples = new Map();
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
const loadBefore = load();
for (let r = 0; r < rounds; r++) {
  for (const g of groups) {
    for (const v of g.variants) {
      const sets = ['--set', `duration=${duration}`, ...(v.tso ? ['--set', `client_tso=${v.tso}`] : [])];
      const out = await $({ nothrow: true, env: { ...process.env, ...v.env } })`node ${cli} run ${v.scenario ?? g.name} --lb ${v.lb} --repeat ${repeat} ${sets} --json`;
      const doc = JSON.parse(out.stdout);
      if (doc.status !== 'passed') throw new Error(`${g.name} ${v.label}: ${doc.status} ${doc.error ?? ''}`);
      if (!samples.has(v)) samples.set(v, []);
      samples.get(v).push(...doc.checks.filter((c) => c.kind === 'iperf3').map((c) => c.measurements.bits_per_second));
    }
  }
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const gbit = (x) => (x / 1e9).toFixed(2);
const ratio = (a, b) => (b ? `${(a / b).toFixed(2)}×` : '—');
console.log(`kernel ${os.release()}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}; load average ${loadBefore} before, ${load()} after`);
console.log(`iperf3 -t ${duration} -O 1, ${rounds} interleaved rounds × ${repeat} repeats each\n`);
for (const g of groups) {
  const m = new Map(g.variants.map((v) => [v, median(samples.get(v))]));
  const find = (pred) => m.get(g.variants.find(pred));
  console.log(`${g.title}\n`);
  if (g.name === 'veth-netns') {
    const nftOwn = find((v) => v.lb === 'nft' && v.tso === 'on');
    console.log('| data path | client TSO | median | samples (Gbit/s) | vs nft, same TSO | vs nft, its own offloads |');
    console.log('|---|---|---|---|---|---|');
    for (const v of g.variants) {
      const tso = v.env?.ZONLAB_XDP_MODE === 'native' ? 'off (forced)' : v.tso;
      const nftSame = find((x) => x.lb === 'nft' && x.tso === (v.env?.ZONLAB_XDP_MODE === 'native' ? 'off' : v.tso));
      console.log(`| ${v.label} | ${tso} | ${gbit(m.get(v))} Gbit/s | ${samples.get(v).map(gbit).join(' ')} | ${ratio(m.get(v), nftSame)} | ${ratio(m.get(v), nftOwn)} |`);
    }
  } else {
    const nft = find((v) => v.lb === 'nft');
    const routing = find((v) => v.lb === 'none');
    console.log('| data path | median | samples (Gbit/s) | vs nft | vs no load balancer |');
    console.log('|---|---|---|---|---|');
    for (const v of g.variants) console.log(`| ${v.label} | ${gbit(m.get(v))} Gbit/s | ${samples.get(v).map(gbit).join(' ')} | ${ratio(m.get(v), nft)} | ${ratio(m.get(v), routing)} |`);
  }
  console.log('');
}
