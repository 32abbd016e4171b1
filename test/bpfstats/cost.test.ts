import test from 'ava';
import { COST_MEASUREMENT, describeProgram, RUNS_MEASUREMENT, windowCost } from '../../src/bpfstats/cost.js';
import { lbAttachments, parseTcAttachments, parseXdpAttachments } from '../../src/bpfstats/discover.js';
import { encodeProgInfo, parseProgInfo, PROG_INFO_SIZE, type ProgInfo } from '../../src/bpfstats/prog-info.js';
import { loadScenario } from '../../src/scenario/load.js';

const info: ProgInfo = { type: 6, id: 398, name: 'zonlb_xdp', tag: 'efaf51fed59d5907', jitedBytes: 9048, xlatedInsns: 1957, verifiedInsns: 11971, runTimeNs: 147260480n, runCnt: 889756n };

test('bpf_prog_info: the fields at their offsets, the name cut at its NUL', (t) => {
  const buf = encodeProgInfo(info);
  t.is(buf.length, PROG_INFO_SIZE);
  t.is(buf.readUInt32LE(4), 398, 'id right after type');
  t.is(buf.readBigUInt64LE(200), 889756n, 'run_cnt at 200, as offsetof() says on Debian 12');
  t.deepEqual(parseProgInfo(buf), info);
  t.throws(() => parseProgInfo(Buffer.alloc(100)), { message: /need 232/ });
});

test('a window: differences of the counters, ns per run over all programs', (t) => {
  const before = new Map([[1, { runs: 1000n, runTimeNs: 100_000n }], [2, { runs: 10n, runTimeNs: 5000n }]]);
  const after = new Map([[1, { runs: 3000n, runTimeNs: 400_000n }], [2, { runs: 1010n, runTimeNs: 105_000n }]]);
  const w = windowCost(before, after);
  t.deepEqual(w.programs, { 1: { runs: 2000, runTimeNs: 300_000 }, 2: { runs: 1000, runTimeNs: 100_000 } });
  t.is(w.measurements[COST_MEASUREMENT], 400_000 / 3000);
  t.is(w.measurements[RUNS_MEASUREMENT], 3000);
  t.deepEqual(windowCost(before, before).measurements, {}, 'no packet: no figure (not 0 ns, not NaN)');
});

// `ip -j link show` as iproute2 6.1 prints it: one program native, one generic, and one with both
const links = JSON.stringify([
  { ifindex: 1, ifname: 'lo' },
  { ifindex: 2, ifname: 'veth1', xdp: { mode: 1, prog: { id: 213, name: 'zonlb_xdp', tag: 'efaf51fed59d5907', jited: 1 }, attached: [{ mode: 1, prog: { id: 213, name: 'zonlb_xdp' } }] } },
  { ifindex: 3, ifname: 'veth9', xdp: { mode: 2, prog: { id: 218, name: 'xdp_pass' } } },
  { ifindex: 4, ifname: 'veth8', xdp: { mode: 4, attached: [{ mode: 1, prog: { id: 301, name: 'a' } }, { mode: 2, prog: { id: 302, name: 'b' } }] } },
]);

test('ip -j link: every attached program, with its interface and namespace', (t) => {
  t.deepEqual(parseXdpAttachments(links, 'zone1'), [
    { iface: 'veth1', netns: 'zone1', id: 213, name: 'zonlb_xdp' },
    { iface: 'veth9', netns: 'zone1', id: 218, name: 'xdp_pass' },
    { iface: 'veth8', netns: 'zone1', id: 301, name: 'a' },
    { iface: 'veth8', netns: 'zone1', id: 302, name: 'b' },
  ]);
  t.deepEqual(parseXdpAttachments(''), []);
});

test("the load balancer's programs: the scenario's helpers left out, unless the load balancer replaced them", (t) => {
  const s = loadScenario('veth-netns'); // veth1@zone1 carries the xdp_pass helper (below kernel 6.0)
  const names = (p: string) => (p === 'xdp_pass' ? ['xdp_pass'] : []);
  const all = [
    { iface: 'veth0', id: 1, name: 'zonlb_xdp' },
    { iface: 'veth1', netns: 'zone1', id: 2, name: 'xdp_pass' },
    { iface: 'eth0', id: 3, name: 'someone_elses' },
  ];
  t.deepEqual(lbAttachments(all, s, names).map((a) => a.id), [1], "the helper and the machine's own eth0 are not the load balancer's");
  const replaced = [{ iface: 'veth1', netns: 'zone1', id: 1, name: 'zonlb_xdp' }];
  t.deepEqual(lbAttachments(replaced, s, names).map((a) => a.id), [1]);
});

test('a program described by its identity and where it is attached', (t) => {
  t.is(describeProgram({ ...info, interfaces: ['veth0@default', 'veth1@zone1'] }), 'zonlb_xdp id 398 tag efaf51fed59d5907, 9048 B jited, 1957 insns on veth0@default, veth1@zone1');
});

test('tc\'s bpf filters (the embedded driver\'s programs when every backend is local) as `tc -j filter show` prints them', (t) => {
  // veth-netns with the embedded driver, tc 6.1: the first entry is the filter's head, without a program
  const ingress = '[{"protocol":"all","pref":1,"kind":"bpf","chain":0},{"protocol":"all","pref":1,"kind":"bpf","chain":0,"options":{"handle":"0x1","bpf_name":"zonlb_tc_in:[10151]","direct-action":true,"not_in_hw":true,"prog":{"id":10151,"name":"zonlb_tc_in","tag":"0fe2eee2d1ac15e5","jited":1}}}]';
  t.deepEqual(parseTcAttachments(ingress, 'veth0'), [{ iface: 'veth0', netns: undefined, id: 10151, name: 'zonlb_tc_in' }]);
  t.deepEqual(parseTcAttachments('', 'veth0'), []);
  t.deepEqual(parseTcAttachments('[{"protocol":"ip","pref":1,"kind":"u32","chain":0}]', 'veth0'), []);
});
