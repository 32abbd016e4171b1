#!/usr/bin/env zx
// The embedded XDP program's own cost per packet, without the kernel around it: BPF_PROG_TEST_RUN
// repeats each packet in the kernel, in a throwaway namespace with a client link and a backend link
// (neighbours known). This build against the same source built with HOP_TTL_NS=0 (a FIB lookup for
// every packet), rounds interleaved. A tracked flow is measured through L2 DSR: its packet is the
// same after each run (only the MACs are set), so every repeat takes the same path.
// `--a X.o --b Y.o` compares two objects instead (e.g. the program before a change and after it).
// Usage: zx scripts/bench-xdp-prog.mjs [--a X.o --b Y.o] [--repeat 1000000] [--rounds 5]   (root)
import path from 'node:path';

$.verbose = false;
const root = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '..');
if (!process.env.ZONLAB_BENCH_NETNS) {
  const r = await $({
    nothrow: true,
    stdio: 'inherit',
    env: { ...process.env, ZONLAB_BENCH_NETNS: '1' },
  })`unshare --net -- ${process.argv0} ${process.argv.slice(1)}`;
  process.exit(r.exitCode ?? 1);
}
const repeat = Number(argv.repeat ?? 1_000_000);
const rounds = Number(argv.rounds ?? 5);
const { libbpf } = await import(`${root}/dist/src/drivers/embedded/libbpf.js`);
const { writeServices } = await import(`${root}/dist/src/drivers/embedded/index.js`);
const { parseZonlbConfig } = await import(`${root}/dist/src/zonlb/config.js`);
const { ipv4Packet } = await import(`${root}/dist/test/drivers/embedded/packets.js`);

await $`ip link set lo up`;
for (const [a, b, net] of [
  ['veth0', 'veth1', '0'],
  ['veth2', 'veth3', '2'],
]) {
  await $`ip link add ${a} type veth peer name ${b}`;
  await $`ip link set ${a} up`;
  await $`ip link set ${b} up`;
  await $`ip address add ${`10.${net}.0.1/24`} dev ${a}`;
  await $`ip neigh replace ${`10.${net}.0.2`} lladdr ${`02:00:00:00:0${net}:02`} dev ${a} nud permanent`;
}
await $`sysctl -qw net.ipv4.ip_forward=1`;
if (Boolean(argv.a) !== Boolean(argv.b)) throw new Error('--a and --b go together: the two objects to compare');
const refetch = path.join(process.env.TMPDIR ?? '/tmp', `zonlab-xdp-refetch-${process.pid}.o`);
if (!argv.a) {
  const { compileBpf } = await import(`${root}/dist/src/bpf-build.js`);
  const built = await compileBpf(`${root}/bpf/zonlb_xdp.c`, refetch, ['HOP_TTL_NS=0']);
  if (built.failed) throw new Error(built.stderr);
}

const bpf = libbpf();
const config = parseZonlbConfig(
  '[netif.veth0.1]\nip = "10.0.0.1"\nproto = 6\nport = 23\n[backend.1_0]\nip = "10.2.0.2"\noptions = ["redirect", "dsr_l2"]\n',
  'bench',
);
const compared = argv.a
  ? [
      [`A: ${argv.a}`, path.resolve(argv.a)],
      [`B: ${argv.b}`, path.resolve(argv.b)],
    ]
  : [
      ['this build (FIB answer kept 1 s)', `${root}/bpf/zonlb_xdp.o`],
      ['FIB looked up every packet (twice: path MTU, then MACs)', refetch],
    ];
const builds = compared.map(([label, file]) => {
  const obj = bpf.openFile(file);
  if (bpf.load(obj)) throw new Error(bpf.takeLog());
  writeServices(bpf, obj, config.services);
  return { label, prog: bpf.programFd(obj, 'zonlb_xdp') };
});
const packets = {
  'tracked flow, redirected (L2 DSR)': ipv4Packet({
    src: '10.0.0.2',
    dst: '10.0.0.1',
    sport: 40000,
    dport: 23,
    proto: 'tcp',
    payload: 'x'.repeat(1400),
  }),
  'no service: passes': ipv4Packet({
    src: '10.0.0.2',
    dst: '10.0.0.9',
    sport: 40000,
    dport: 80,
    proto: 'tcp',
    payload: 'x'.repeat(1400),
  }),
};
const veth0 = bpf.ifindex('veth0');
const ns = new Map();
const verdicts = new Map();
const xdpActions = ['XDP_ABORTED', 'XDP_DROP', 'XDP_PASS', 'XDP_TX', 'XDP_REDIRECT'];
for (let r = 0; r < rounds; r++) {
  for (const b of builds) {
    for (const [name, pkt] of Object.entries(packets)) {
      bpf.testRun(b.prog, pkt, Buffer.alloc(pkt.length + 256), veth0); // opens the flow
      const t = bpf.testRun(b.prog, pkt, null, veth0, repeat);
      if (t.err) throw new Error(`BPF_PROG_TEST_RUN: ${bpf.strerror(t.err)}`);
      const key = `${name}|${b.label}`;
      ns.set(key, [...(ns.get(key) ?? []), t.durationNs]);
      verdicts.set(key, xdpActions[t.retval] ?? String(t.retval));
    }
  }
}
if (!argv.a) await $`rm -f ${refetch}`;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
console.log(`BPF_PROG_TEST_RUN, ${repeat} repeats × ${rounds} interleaved rounds, ns a packet (median)\n`);
console.log(`| packet | ${builds.map((b) => b.label).join(' | ')} | ${argv.a ? 'B/A' : 'ratio'} |`);
console.log(`|---|${builds.map(() => '---').join('|')}|---|`);
for (const name of Object.keys(packets)) {
  const m = builds.map((b) => median(ns.get(`${name}|${b.label}`)));
  const shown = builds.map((b, i) => `${m[i]} (${verdicts.get(`${name}|${b.label}`)})`);
  console.log(`| ${name} | ${shown.join(' | ')} | ${(argv.a ? m[1] / m[0] : m[0] / m[1]).toFixed(2)}× |`);
}
