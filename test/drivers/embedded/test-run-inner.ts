// Run under `unshare --net` by test-run.test.ts: a namespace of its own with the load balancer's
// links (veth0 to the client, veth2 to the backends, veth4 to a backend behind an MTU of 1310),
// forwarding on and the neighbours known, so the program's FIB lookups answer as in a lab. Each
// packet runs through BPF_PROG_TEST_RUN as if it arrived on one of those links.
import { execFileSync } from 'node:child_process';
import { libbpf } from '../../../src/drivers/embedded/libbpf.js';
import { STATS_SIZE, sumCounters, SVC_STAT_SIZE, sumPerCpu, svcStatKey } from '../../../src/drivers/embedded/maps.js';
import { flushConntrack, OBJECT, possibleCpus, writeServices } from '../../../src/drivers/embedded/index.js';
import { parseZonlbConfig } from '../../../src/zonlb/config.js';
import {
  fragments,
  inspect,
  inspectFragment,
  inspectTooBig,
  ipv4Packet,
  ipv6Packet,
  macs,
  reassemble,
  type Spec,
} from './packets.js';

const ip = (...args: string[]) => execFileSync('ip', args);
ip('link', 'set', 'lo', 'up');
for (const [a, b, net, mtu] of [
  ['veth0', 'veth1', '0', '1500'],
  ['veth2', 'veth3', '2', '1500'],
  ['veth4', 'veth5', '4', '1310'],
] as const) {
  ip('link', 'add', a, 'mtu', mtu, 'type', 'veth', 'peer', 'name', b, 'mtu', mtu);
  ip('link', 'set', a, 'up');
  ip('link', 'set', b, 'up');
  ip('address', 'add', `10.${net}.0.1/24`, 'dev', a);
  ip('address', 'add', `2001:db8::${net}:1/120`, 'dev', a, 'nodad');
  for (const host of [`10.${net}.0.2`, `2001:db8::${net}:2`])
    ip('neigh', 'replace', host, 'lladdr', `02:00:00:00:0${net}:02`, 'dev', a, 'nud', 'permanent');
}
execFileSync('sysctl', ['-qw', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);

const bpf = libbpf();
const obj = bpf.openFile(OBJECT);
if (bpf.load(obj)) throw new Error(bpf.takeLog());
const prog = bpf.programFd(obj, 'zonlb_xdp');
const tcProg = bpf.programFd(obj, 'zonlb_tc_out');
const tcIngress = bpf.programFd(obj, 'zonlb_tc_in');
const group = (
  gid: number,
  vip: string,
  proto: number,
  port: number | undefined,
  backend: string,
  bport: number | undefined,
  options: string[],
) => `
[netif.veth0.${gid}]
ip = "${vip}"
proto = ${proto}
${port === undefined ? '' : `port = ${port}`}
[backend.${gid}_0]
ip = "${backend}"
${bport === undefined ? '' : `port = ${bport}`}
options = ${JSON.stringify(options)}
`;
const config = parseZonlbConfig(
  [
    group(1, '10.0.0.1', 6, 23, '10.2.0.2', 223, ['redirect', 'src_ip=10.2.0.1']),
    group(2, '10.0.0.1', 17, 23, '10.2.0.2', 223, ['src_ip=10.2.0.1']),
    group(3, '10.0.0.1', 1, undefined, '10.2.0.2', undefined, ['src_ip=10.2.0.1']),
    group(4, '2001:db8::1', 6, 23, '2001:db8::2:2', 223, ['src_ip=2001:db8::2:1']),
    group(5, '10.0.0.1', 6, 24, '10.2.0.2', 24, ['redirect', 'dsr_l2']),
    group(6, '2001:db8::1', 6, 24, '2001:db8::2:2', 24, ['redirect', 'dsr_l2']),
    group(7, '2001:db8::1', 17, 23, '2001:db8::2:2', 223, ['src_ip=2001:db8::2:1']),
    group(8, '10.0.0.1', 17, 9, '10.4.0.2', 9, ['src_ip=10.4.0.1']),
    group(9, '2001:db8::1', 17, 9, '2001:db8::4:2', 9, ['src_ip=2001:db8::4:1']),
    group(10, '10.0.0.1', 6, 80, '127.0.0.23', 8080, []),
    group(11, '10.0.0.1', 6, 25, '10.2.0.2', 225, ['redirect']),
    group(12, '10.0.0.1', 6, 26, '10.2.0.2', 226, ['redirect', 'src_ip=10.2.0.1']),
  ].join(''),
  'test',
);
writeServices(bpf, obj, config.services);
const ifindex = Object.fromEntries(['veth0', 'veth2', 'veth4'].map((n) => [n, bpf.ifindex(n)]));
const ownMac = (dev: string) =>
  (JSON.parse(ip('-j', 'link', 'show', 'dev', dev).toString()) as { address: string }[])[0]!.address;

const run = (frame: Buffer, from = 'veth0') => {
  const out = Buffer.alloc(frame.length + 256);
  const r = bpf.testRun(prog, frame, out, ifindex[from]);
  const got = out.subarray(0, r.sizeOut);
  return {
    err: r.err,
    action: r.retval,
    unchanged: got.equals(frame),
    sameL3: got.subarray(12).equals(frame.subarray(12)),
    macs: macs(got),
    frame: got,
  };
};
const view = (r: ReturnType<typeof run>) => ({
  err: r.err,
  action: r.action,
  unchanged: r.unchanged,
  sameL3: r.sameL3,
  macs: r.macs,
  ...(r.frame.length >= 34 ? inspect(r.frame) : {}),
});
const cases: Record<string, unknown> = {
  macs: { veth0: ownMac('veth0'), veth2: ownMac('veth2'), veth4: ownMac('veth4') },
};
const v4 = (s: Spec, from?: string) => view(run(ipv4Packet(s), from));
const v6 = (s: Spec, from?: string) => view(run(ipv6Packet(s), from));

cases.tcpRequest = v4({ src: '10.0.0.2', dst: '10.0.0.1', sport: 40000, dport: 23, proto: 'tcp' });
// the flow's next packets: the second looks the FIB up and keeps its answer, the third uses it
cases.keptHop = [1, 2].map(() =>
  v4({ src: '10.0.0.2', dst: '10.0.0.1', sport: 40000, dport: 23, proto: 'tcp', payload: 'again' }),
);
cases.tcpReply = v4({ src: '10.2.0.2', dst: '10.2.0.1', sport: 223, dport: 40000, proto: 'tcp' }, 'veth2');
// no src_ip: the VIP is the source toward the backend (as zon-lb), and the reply to it is translated back
cases.vipSourceRequest = v4({ src: '10.0.0.2', dst: '10.0.0.1', sport: 40020, dport: 25, proto: 'tcp' });
cases.vipSourceReply = v4({ src: '10.2.0.2', dst: '10.0.0.1', sport: 225, dport: 40020, proto: 'tcp' }, 'veth2');
cases.udpRequest = v4({ src: '10.0.0.2', dst: '10.0.0.1', sport: 40001, dport: 23, proto: 'udp', payload: 'odd' });
cases.udpReply = v4({ src: '10.2.0.2', dst: '10.2.0.1', sport: 223, dport: 40001, proto: 'udp' }, 'veth2');
cases.icmpRequest = v4({ src: '10.0.0.2', dst: '10.0.0.1', sport: 77, dport: 77, proto: 'icmp' });
cases.unknownFlow = v4({ src: '10.0.0.2', dst: '10.0.0.9', sport: 40002, dport: 80, proto: 'tcp' });
// to a port no service has, from none a reply comes from: the program's first filter passes it, counted as before it
const counters = () => {
  const value = Buffer.alloc(STATS_SIZE * possibleCpus());
  if (bpf.lookup(bpf.mapFd(obj, 'counters'), Buffer.alloc(4), value)) throw new Error('counters');
  return sumCounters(value, possibleCpus());
};
const countedBefore = counters();
cases.noServicePort = v4({ src: '10.0.0.2', dst: '10.0.0.1', sport: 40030, dport: 81, proto: 'udp' });
const countedAfter = counters();
cases.noServicePortCounted = Object.fromEntries(
  (['packets', 'matched', 'ct_misses', 'passed'] as const).map((c) => [c, countedAfter[c] - countedBefore[c]]),
);
cases.tcp6Request = v6({ src: '2001:db8::2', dst: '2001:db8::1', sport: 40003, dport: 23, proto: 'tcp' });
cases.tcp6Reply = v6({ src: '2001:db8::2:2', dst: '2001:db8::2:1', sport: 223, dport: 40003, proto: 'tcp' }, 'veth2');
const full = ipv4Packet({ src: '10.0.0.2', dst: '10.0.0.1', sport: 40004, dport: 23, proto: 'tcp' });
cases.truncated = [14, 20, 33, 34, 40, 53].map((n) => {
  const r = bpf.testRun(prog, full.subarray(0, n), Buffer.alloc(256), ifindex.veth0);
  return { n, err: r.err, action: r.retval };
});

// L2 DSR: only the MACs change; the backend's reply (from the VIP) is not the balancer's
cases.dsrRequest = v4({ src: '10.0.0.2', dst: '10.0.0.1', sport: 40005, dport: 24, proto: 'tcp' });
cases.dsr6Request = v6({ src: '2001:db8::2', dst: '2001:db8::1', sport: 40006, dport: 24, proto: 'tcp' });
cases.dsrReply = v4({ src: '10.0.0.1', dst: '10.0.0.2', sport: 24, dport: 40005, proto: 'tcp' }, 'veth2');

// fragments: the first opens the flow, the others follow it by (src, dst, id, protocol)
const big = 'f'.repeat(600);
const frag = (frame: Buffer) => fragments(frame, 512, 0x4242).map((f) => run(f));
const f4 = frag(ipv4Packet({ src: '10.0.0.2', dst: '10.0.0.1', sport: 40007, dport: 23, proto: 'udp', payload: big }));
const f6 = frag(
  ipv6Packet({ src: '2001:db8::2', dst: '2001:db8::1', sport: 40008, dport: 23, proto: 'udp', payload: big }),
);
const fragView = (fs: ReturnType<typeof run>[]) => ({
  actions: fs.map((f) => f.action),
  each: fs.map((f) => ({ ...inspectFragment(f.frame), macs: f.macs })),
  whole: inspect(reassemble(fs.map((f) => f.frame))),
});
cases.fragments4 = fragView(f4);
cases.fragments6 = fragView(f6);
const stray = fragments(
  ipv4Packet({ src: '10.0.0.2', dst: '10.0.0.1', sport: 40009, dport: 23, proto: 'udp', payload: big }),
  512,
  0x4343,
)[1]!;
cases.strayFragment = view(run(stray));
const icmpFrags = fragments(
  ipv4Packet({ src: '10.0.0.2', dst: '10.0.0.1', sport: 78, dport: 78, proto: 'icmp', payload: big }),
  512,
  0x4444,
).map((f) => run(f));
cases.icmpFragments = fragView(icmpFrags);

// a datagram larger than the backend link's MTU: ICMP back to the client, quoting it
const tooBig4 = ipv4Packet({
  src: '10.0.0.2',
  dst: '10.0.0.1',
  sport: 40010,
  dport: 9,
  proto: 'udp',
  payload: 'p'.repeat(1400),
});
const tooBig6 = ipv6Packet({
  src: '2001:db8::2',
  dst: '2001:db8::1',
  sport: 40011,
  dport: 9,
  proto: 'udp',
  payload: 'p'.repeat(1400),
});
for (const [name, frame, quoteLen] of [
  ['tooBig4', tooBig4, 28],
  ['tooBig6', tooBig6, 104],
] as const) {
  const r = run(frame);
  const icmp = inspectTooBig(r.frame);
  cases[name] = {
    action: r.action,
    macs: r.macs,
    ...icmp,
    quote: undefined,
    quoteMatches: icmp.quote.equals(frame.subarray(14, 14 + quoteLen)),
    quoteLength: icmp.quote.length,
  };
}
cases.fitting = view(
  run(
    ipv4Packet({ src: '10.0.0.2', dst: '10.0.0.1', sport: 40012, dport: 9, proto: 'udp', payload: 'p'.repeat(1200) }),
  ),
);

// a backend on this host: the request goes to the local stack, the reply is translated by tc as it leaves
cases.localRequest = v4({ src: '10.0.0.2', dst: '10.0.0.1', sport: 40013, dport: 80, proto: 'tcp' });
const reply = ipv4Packet({
  src: '127.0.0.23',
  dst: '10.0.0.2',
  sport: 8080,
  dport: 40013,
  proto: 'tcp',
  payload: 'answer',
});
const tcOut = Buffer.alloc(reply.length + 256);
const tc = bpf.testRun(tcProg, reply, tcOut); // an object without the program answers an error, which the test shows
cases.localReply = { err: tc.err, action: tc.retval, ...inspect(tcOut.subarray(0, tc.sizeOut)) };
const other = ipv4Packet({ src: '10.2.0.2', dst: '10.2.0.1', sport: 223, dport: 40000, proto: 'tcp' });
const otherOut = Buffer.alloc(other.length + 256);
const otherTc = bpf.testRun(tcProg, other, otherOut);
cases.notLocalReply = {
  err: otherTc.err,
  action: otherTc.retval,
  unchanged: otherOut.subarray(0, otherTc.sizeOut).equals(other),
};

// every backend on this host: tc ingress translates the request in place, tc egress its reply
const tcRun = (fd: number, frame: Buffer) => {
  const out = Buffer.alloc(frame.length + 256);
  const r = bpf.testRun(fd, frame, out);
  return { err: r.err, action: r.retval, ...inspect(out.subarray(0, r.sizeOut)) };
};
cases.tcRequest = tcRun(
  tcIngress,
  ipv4Packet({ src: '10.0.0.2', dst: '10.0.0.1', sport: 40014, dport: 80, proto: 'tcp', payload: 'question' }),
);
cases.tcReply = tcRun(
  tcProg,
  ipv4Packet({ src: '127.0.0.23', dst: '10.0.0.2', sport: 8080, dport: 40014, proto: 'tcp', payload: 'answer' }),
);
// the other protocols through the same in-place rewrite (its checksum diffs are computed by the program)
cases.tcUdp = tcRun(
  tcIngress,
  ipv4Packet({ src: '10.0.0.2', dst: '10.0.0.1', sport: 40015, dport: 23, proto: 'udp', payload: 'odd' }),
);
cases.tcTcp6 = tcRun(
  tcIngress,
  ipv6Packet({ src: '2001:db8::2', dst: '2001:db8::1', sport: 40016, dport: 23, proto: 'tcp', payload: 'question' }),
);
cases.tcUdp6 = tcRun(
  tcIngress,
  ipv6Packet({ src: '2001:db8::2', dst: '2001:db8::1', sport: 40017, dport: 23, proto: 'udp', payload: 'odd' }),
);

// backends behind links, on skbs (zonlb_tc_fwd): translated and redirected, a GSO packet whole
const tcForward = bpf.programFd(obj, 'zonlb_tc_fwd');
const fwdRun = (frame: Buffer, from = 'veth0', gsoSize?: number) => {
  const out = Buffer.alloc(frame.length + 256);
  const r = bpf.testRun(tcForward, frame, out, ifindex[from], 1, { gsoSize });
  const got = out.subarray(0, r.sizeOut);
  return { err: r.err, action: r.retval, unchanged: got.equals(frame), macs: macs(got), ...inspect(got) };
};
const fwd: Spec = { src: '10.0.0.2', dst: '10.0.0.1', sport: 40040, dport: 26, proto: 'tcp', payload: 'question' };
cases.fwdRequest = fwdRun(ipv4Packet(fwd));
cases.fwdReply = fwdRun(
  ipv4Packet({ src: '10.2.0.2', dst: '10.2.0.1', sport: 226, dport: 40040, proto: 'tcp', payload: 'answer' }),
  'veth2',
);
// 2,940 bytes: as GSO segments of 1448 it fits the backend's link; as one packet it does not
const twoSegments = (gsoSize?: number) => fwdRun(ipv4Packet({ ...fwd, payload: 'x'.repeat(2900) }), 'veth0', gsoSize);
const errorsBefore = counters().errors;
cases.fwdGso = twoSegments(1448);
cases.fwdTooBig = { ...twoSegments(), errors: counters().errors - errorsBefore };
cases.fwdLocal = fwdRun(ipv4Packet({ src: '10.0.0.2', dst: '10.0.0.1', sport: 40041, dport: 80, proto: 'tcp' }));
cases.fwd6Request = fwdRun(
  ipv6Packet({ src: '2001:db8::2', dst: '2001:db8::1', sport: 40042, dport: 23, proto: 'tcp', payload: 'question' }),
);
cases.fwdUnknown = fwdRun(ipv4Packet({ src: '10.0.0.2', dst: '10.0.0.9', sport: 40043, dport: 80, proto: 'tcp' }));

// the proof per check: packets per service and backend, toward it and back
const stats = bpf.mapFd(obj, 'svc_stats');
const cpus = possibleCpus();
cases.serviceCounts = Object.fromEntries(
  config.services.map((s, slot) => {
    const value = Buffer.alloc(SVC_STAT_SIZE * cpus);
    const [requests, replies] = bpf.lookup(stats, svcStatKey(slot, 0), value) ? [NaN, NaN] : sumPerCpu(value, cpus, 2);
    return [s.gid, { requests, replies }];
  }),
);
// a flush: the flow's packets are unknown after it, though this CPU has a copy of its entry (a flow's
// second lookup is served from the copy its first took); on one CPU, so that the copy is the one asked
const affinity = execFileSync('taskset', ['-cp', String(process.pid)]).toString();
execFileSync('taskset', ['-cp', /: *(\d+)/.exec(affinity)![1]!, String(process.pid)]);
const tracked: Spec = { src: '10.2.0.2', dst: '10.2.0.1', sport: 223, dport: 40000, proto: 'tcp' };
cases.beforeFlush = [v4(tracked, 'veth2'), v4(tracked, 'veth2')];
cases.flushed = { deleted: flushConntrack(bpf, obj, true), reply: v4(tracked, 'veth2') };
process.stdout.write(JSON.stringify(cases));
