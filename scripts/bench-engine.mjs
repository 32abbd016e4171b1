#!/usr/bin/env zx
// The lab engine's speed, measured side by side in one run (these machines are noisy: compare the
// ratios, not the absolute times). For N namespaces, each with a veth pair, an address per end,
// links up and a default route — brought up and torn down by:
//   naive  — one `ip` process per step (what a setup.sh does),
//   floor  — `ip -batch`: one process for the default namespace, one `ip -n NS -batch` per namespace,
//   zonlab — `zonlab up many-clients --host --set clients=N` then `zonlab down`, run as users run it
//            (dist/src/cli.js through its #! line, as npm's bin link does); again with
//            ZONLAB_ENGINE=ip (one `ip -n NS -batch` per namespace), and again sandboxed (no --host),
// each inside its own throwaway network and mount namespace, so nothing touches the machine.
// Usage: zx scripts/bench-engine.mjs [--sizes 10,100,1000] [--repeats 3]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

$.verbose = false;
const sizes = String(argv.sizes ?? '10,100,1000')
  .split(',')
  .map(Number);
const repeats = Number(argv.repeats ?? 3);
const cli = path.resolve(
  import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname),
  '..',
  'dist',
  'src',
  'cli.js',
);
const work = mkdtempSync(path.join(tmpdir(), 'zonlab-bench-'));

// every measured command runs in a fresh network + mount namespace with a /run of its own (so
// /run/netns is private and need not exist on the machine)
const WRAP = [
  'unshare',
  '--net',
  '--mount',
  '--propagation',
  'private',
  '--fork',
  '--kill-child',
  '--',
  'bash',
  '-c',
  'mount -t tmpfs bench /run && mkdir /run/netns && mount -t sysfs bench /sys && ip link set lo up && exec "$@"',
  'wrap',
];

function addr(i, host) {
  const v = (10 << 24) + (128 << 16) + i * 4 + host;
  return [24, 16, 8, 0].map((s) => (v >>> s) & 255).join('.');
}

function naiveScript(n) {
  const up = [];
  const down = [];
  for (let i = 0; i < n; i++) {
    up.push(
      `ip netns add client${i}`,
      `ip link add vc${i} type veth peer name eth0 netns client${i}`,
      `ip address add ${addr(i, 1)}/30 dev vc${i}`,
      `ip -n client${i} address add ${addr(i, 2)}/30 dev eth0`,
      `ip link set dev vc${i} up`,
      `ip -n client${i} link set dev lo up`,
      `ip -n client${i} link set dev eth0 up`,
      `ip -n client${i} route add default dev eth0`,
    );
    down.push(`ip netns delete client${i}`);
  }
  const f = path.join(work, `naive-${n}.sh`);
  writeFileSync(f, `set -e\n${up.join('\n')}\n${down.join('\n')}\n`);
  return ['bash', f];
}

function floorScript(n) {
  const main = [];
  const per = [];
  for (let i = 0; i < n; i++) {
    main.push(
      `netns add client${i}`,
      `link add vc${i} type veth peer name eth0 netns client${i}`,
      `address add ${addr(i, 1)}/30 dev vc${i}`,
      `link set dev vc${i} up`,
    );
    const f = path.join(work, `floor-${n}-${i}.batch`);
    writeFileSync(
      f,
      `link set dev lo up\naddress add ${addr(i, 2)}/30 dev eth0\nlink set dev eth0 up\nroute add default dev eth0\n`,
    );
    per.push(`ip -n client${i} -batch ${f}`);
  }
  const mainFile = path.join(work, `floor-${n}.batch`);
  writeFileSync(mainFile, `${main.join('\n')}\n`);
  const downFile = path.join(work, `floor-${n}-down.batch`);
  writeFileSync(downFile, `${Array.from({ length: n }, (_, i) => `netns delete client${i}`).join('\n')}\n`);
  const f = path.join(work, `floor-${n}.sh`);
  writeFileSync(f, `set -e\nip -batch ${mainFile}\n${per.join('\n')}\nip -batch ${downFile}\n`);
  return ['bash', f];
}

/**
 * engine: 'netlink' (the default) or 'ip' (ZONLAB_ENGINE=ip: one `ip -n NS -batch` per namespace);
 * mode: '--host' (what the other columns do: the namespaces in the benchmark's own) or 'sandbox'
 * (zonlab's default: a sandbox of its own around the lab, held by a second process).
 */
// what the kernel runs for `zonlab` (npm's bin link): the #! line's interpreter given the rest of
// that line as one argument, then the script, so the file need not be executable here
const [interpreter, ...interpreterArgs] = readFileSync(cli, 'utf8').split('\n')[0].replace(/^#!/, '').trim().split(' ');
const shQuote = (s) => `'${s.replaceAll("'", "'\\''")}'`;
const zonlabProgram = [interpreter, ...(interpreterArgs.length ? [interpreterArgs.join(' ')] : []), cli]
  .map(shQuote)
  .join(' ');

function zonlabScript(n, engine, mode = '--host') {
  const state = path.join(work, `state-${n}-${engine}-${mode}`);
  const f = path.join(work, `zonlab-${n}-${engine}-${mode}.sh`);
  const host = mode === '--host' ? ' --host' : '';
  writeFileSync(
    f,
    `set -e\nexport ZONLAB_STATE=${state} ZONLAB_RESULTS=${work}/results NO_COLOR=1 ZONLAB_ENGINE=${engine}\n${zonlabProgram} up many-clients${host} --lb none --set clients=${n} >/dev/null 2>&1\n${zonlabProgram} down many-clients${host} >/dev/null\n`,
  );
  return ['bash', f];
}

let running;
// a benchmark stopped half-way stops its script too (unshare --kill-child takes the script with it)
// the work folder goes however the script ends: done, a command failed, or stopped by a signal
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
for (const sig of ['SIGINT', 'SIGTERM'])
  process.on(sig, () => {
    running?.kill('SIGKILL');
    process.exit(130);
  });

/** Seconds the command took; then a pause until the kernel has finished freeing its namespaces. */
async function time(cmd) {
  const t0 = performance.now();
  running = $`${[...WRAP, ...cmd]}`;
  await running;
  const seconds = (performance.now() - t0) / 1000;
  await settle();
  return seconds;
}

/**
 * Namespaces are freed by a kernel worker after their last user is gone, and the next lab waits
 * for that work (it holds the locks a new namespace or veth needs): without a pause, each command
 * would pay for the one before it. Settled: the CPUs were idle for two 100 ms windows in a row.
 */
async function settle() {
  for (let idle = 0, tries = 0; idle < 2 && tries < 100; tries++)
    idle = (await busyFraction(100)) < 0.15 ? idle + 1 : 0;
}

function cpuTimes() {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + f[4];
  return { idle, total: f.reduce((a, b) => a + b, 0) };
}

async function busyFraction(ms) {
  const a = cpuTimes();
  await sleep(ms);
  const b = cpuTimes();
  return b.total === a.total ? 0 : 1 - (b.idle - a.idle) / (b.total - a.total);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const rows = [];
for (const n of sizes) {
  const samples = { naive: [], floor: [], zonlab: [], zonlabIp: [], zonlabSandbox: [] };
  const cmds = {
    naive: naiveScript(n),
    floor: floorScript(n),
    zonlab: zonlabScript(n, 'netlink'),
    zonlabIp: zonlabScript(n, 'ip'),
    zonlabSandbox: zonlabScript(n, 'netlink', 'sandbox'),
  };
  for (let r = 0; r < repeats; r++) {
    // interleaved, so that drift in the machine's speed hits all of them alike
    for (const k of ['floor', 'zonlab', 'zonlabIp', 'zonlabSandbox', 'naive']) samples[k].push(await time(cmds[k]));
  }
  const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
  rows.push({ n, ...m, samples });
  console.log(
    `N=${n}: naive ${m.naive.toFixed(3)} s, ip -batch floor ${m.floor.toFixed(3)} s, zonlab --host ${m.zonlab.toFixed(3)} s, with ZONLAB_ENGINE=ip ${m.zonlabIp.toFixed(3)} s, sandboxed ${m.zonlabSandbox.toFixed(3)} s (medians of ${repeats}) → zonlab/floor ${(m.zonlab / m.floor).toFixed(2)}×`,
  );
}
console.log(
  '\n| N | naive (s) | ip -batch floor (s) | zonlab --host (s) | zonlab --host, ip engine (s) | zonlab, sandboxed (s) | zonlab --host / floor | ip engine / floor | sandboxed / floor | naive / floor |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
const x = (a, b) => `${(a / b).toFixed(2)}×`;
for (const r of rows)
  console.log(
    `| ${r.n} | ${r.naive.toFixed(3)} | ${r.floor.toFixed(3)} | ${r.zonlab.toFixed(3)} | ${r.zonlabIp.toFixed(3)} | ${r.zonlabSandbox.toFixed(3)} | ${x(r.zonlab, r.floor)} | ${x(r.zonlabIp, r.floor)} | ${x(r.zonlabSandbox, r.floor)} | ${x(r.naive, r.floor)} |`,
  );
if (rows.length > 1) {
  const [a, b] = [rows[0], rows[rows.length - 1]];
  // the cost of one more namespace, with the fixed cost (CLI starts) taken out
  const perNs = (k) => ((b[k] - a[k]) / (b.n - a.n)) * 1000;
  console.log(
    `\nper extra namespace (N=${a.n} → ${b.n}): zonlab --host ${perNs('zonlab').toFixed(2)} ms, ip engine ${perNs('zonlabIp').toFixed(2)} ms, sandboxed ${perNs('zonlabSandbox').toFixed(2)} ms, floor ${perNs('floor').toFixed(2)} ms, naive ${perNs('naive').toFixed(2)} ms`,
  );
}
// Node's own start, which every zonlab command pays before its first line: with this environment,
// and without NODE_EXTRA_CA_CERTS (where set, Node reads that CA bundle at every start)
async function nodeStart(env) {
  const xs = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await $({ env })`node -e 0`;
    xs.push(performance.now() - t0);
  }
  return median(xs);
}
const { NODE_EXTRA_CA_CERTS: extraCa, ...withoutCa } = process.env;
console.log(
  `\nNode's own start (node -e 0, median of 5): ${(await nodeStart(process.env)).toFixed(0)} ms${extraCa ? `; ${(await nodeStart(withoutCa)).toFixed(0)} ms without NODE_EXTRA_CA_CERTS=${extraCa}` : ''}`,
);
// zonlab's #! line starts Node without that variable (zonlab opens no TLS connection)
async function versionStart(cmd) {
  const xs = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await $`${cmd}`;
    xs.push(performance.now() - t0);
  }
  return median(xs).toFixed(0);
}
console.log(
  `zonlab --version (median of 5): ${await versionStart(['bash', '-c', `${zonlabProgram} --version`])} ms as a program; ${await versionStart(['node', cli, '--version'])} ms as node dist/src/cli.js`,
);
