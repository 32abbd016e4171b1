import test from 'ava';
import type { LoadedBalancer } from '../../src/drivers/driver.js';
import { echoNamespaces, judge, startProof } from '../../src/proof/carried.js';
import { parseEchoCounts } from '../../src/proof/icmp-counters.js';
import { lbTargetsOf } from '../../src/proof/targets.js';
import { loadScenario } from '../../src/scenario/load.js';

const s = loadScenario('netns-veth-to-netns');
const byName = (n: string) => s.checks.find((c) => c.name === n)!;
const lb = (driver: LoadedBalancer['driver']): LoadedBalancer => ({ driver, version: 'v', unload: async () => {} });
const counts = (packets: number) => ({
  1: { packets, scope: 'service gid 1' },
  3: { packets, scope: 'service gid 3' },
});
const echo = (v4: number) => ({ v4, v6: 0 });

test('carried: the service count moved during the check', (t) => {
  const c = byName('telnet');
  const e = judge(c, lbTargetsOf(c, s), lb('embedded'), counts(10), counts(25), []);
  t.true(e.carried);
  t.is(e.services[0]!.delta, 15);
  // the scope names the service: said once (issue 24 saw "counted gid 1 service gid 1")
  t.regex(e.reason, /counted service gid 1: \+15 packets/);
  t.notRegex(e.reason, /gid 1 service gid 1/);
  const nft = judge(
    c,
    lbTargetsOf(c, s),
    lb('nft'),
    { 1: { packets: 0, scope: 'DNAT rule (new flows)' } },
    { 1: { packets: 4, scope: 'DNAT rule (new flows)' } },
    [],
  );
  t.regex(nft.reason, /counted gid 1 DNAT rule \(new flows\): \+4 packets/);
});

test('not carried: counts that did not move, no load balancer, a driver without counts', (t) => {
  const c = byName('telnet');
  const still = judge(c, lbTargetsOf(c, s), lb('nft'), counts(7), counts(7), []);
  t.false(still.carried);
  t.regex(still.reason, /its counts did not move/);
  const none = judge(c, lbTargetsOf(c, s), lb('none'), undefined, undefined, []);
  t.false(none.carried);
  t.regex(none.reason, /no load balancer \(--lb none\)/);
  const blind = judge(c, lbTargetsOf(c, s), lb('zon-lb'), undefined, undefined, []);
  t.regex(blind.reason, /cannot show per-service counts/);
});

test('counts that went down (a program that restarted its counters during the check) prove nothing, and say so', (t) => {
  const c = byName('telnet');
  const e = judge(c, lbTargetsOf(c, s), lb('zon-lb'), counts(900), counts(40), []);
  t.false(e.carried);
  t.is(e.failedOn, 'counts');
  t.regex(e.reason, /its counts went down during the check \(gid 1: 900 → 40\): its counters restarted/);
});

test("ping: the backend namespace must answer the echoes, not the VIP's own namespace", (t) => {
  const c = byName('ping');
  const targets = lbTargetsOf(c, s);
  const answered = judge(c, targets, lb('nft'), counts(1), counts(2), [
    { ns: 'zone2', before: echo(4), after: echo(7) },
  ]);
  t.true(answered.carried);
  t.deepEqual(answered.backendEchoes, [{ netns: 'zone2', answered: 3 }]);
  const local = judge(c, targets, lb('nft'), counts(1), counts(2), [{ ns: 'zone2', before: echo(4), after: echo(4) }]);
  t.false(local.carried);
  t.regex(local.reason, /zone2 answered no echo request \(its ICMP InEchos did not move\)/);
});

test('echo counters from /proc/net/snmp and snmp6', (t) => {
  const snmp = [
    'Ip: Forwarding DefaultTTL',
    'Ip: 2 64',
    'Icmp: InMsgs InErrors InCsumErrors InDestUnreachs InTimeExcds InParmProbs InSrcQuenchs InRedirects InEchos InEchoReps',
    'Icmp: 9 0 0 1 0 0 0 0 5 3',
    'IcmpMsg: InType0 InType8',
    'IcmpMsg: 3 5',
    'Icmp6InMsgs                     \t7',
    'Icmp6InEchos                    \t4',
  ].join('\n');
  t.deepEqual(parseEchoCounts(snmp), { v4: 5, v6: 4 });
  t.deepEqual(parseEchoCounts(''), { v4: 0, v6: 0 });
});

test('L2 DSR: carried only when the requests moved and none of the replies passed the load balancer', (t) => {
  const dsr = loadScenario('dsr-l2');
  const c = dsr.checks.find((x) => x.name === 'iperf')!;
  const targets = lbTargetsOf(c, dsr);
  const gid = targets[0]!.service.gid;
  const at = (requests: number, replies: number) => ({
    [gid]: { packets: requests + replies, requests, replies, scope: `service gid ${gid}` },
  });
  const direct = judge(c, targets, lb('embedded'), at(0, 0), at(900, 0), []);
  t.true(direct.carried);
  t.regex(direct.reason, /none of the replies \(direct server return\)/);
  const through = judge(c, targets, lb('embedded'), at(0, 0), at(900, 850), []);
  t.false(through.carried);
  t.regex(
    through.reason,
    /counted 850 replies of DSR service gid \d+: in direct server return the backend answers the client itself/,
  );
});

// the stricter rules (issue 21): each of these passed with the proof before them

test('requests must move: replies alone prove nothing about the request path; replies are reported beside the requests', (t) => {
  const c = byName('telnet');
  const at = (requests: number, replies: number) => ({
    1: { packets: requests + replies, requests, replies, scope: 'service gid 1' },
  });
  const repliesOnly = judge(c, lbTargetsOf(c, s), lb('embedded'), at(5, 5), at(5, 9), [], {
    status: 'passed',
    evidence: {},
  });
  t.false(repliesOnly.carried);
  t.regex(repliesOnly.reason, /its counts of the requests did not move \(gid 1: \+0 requests, \+4 replies\)/);
  const both = judge(c, lbTargetsOf(c, s), lb('embedded'), at(5, 5), at(9, 8), [], { status: 'passed', evidence: {} });
  t.true(both.carried);
  t.like(both.services[0], { delta: 4, requests: 4, replies: 3 });
});

test('ping: the backends must have answered at least the echoes the client got back, not one of them', (t) => {
  const c = byName('ping');
  const targets = lbTargetsOf(c, s);
  const one = judge(c, targets, lb('nft'), counts(1), counts(2), [{ ns: 'zone2', before: echo(4), after: echo(5) }], {
    status: 'passed',
    evidence: {},
    measurements: { received: 3 },
  });
  t.false(one.carried);
  t.regex(one.reason, /zone2 answered 1 echo requests, fewer than the 3 replies the client got/);
  const all = judge(c, targets, lb('nft'), counts(1), counts(2), [{ ns: 'zone2', before: echo(4), after: echo(7) }], {
    status: 'passed',
    evidence: {},
    measurements: { received: 3 },
  });
  t.true(all.carried);
});

test('with --lb none, a check that passes by itself is failed by the backend-side evidence, not by a shortcut on the driver', (t) => {
  const c = byName('ping');
  const e = judge(
    c,
    lbTargetsOf(c, s),
    lb('none'),
    undefined,
    undefined,
    [{ ns: 'zone2', before: echo(4), after: echo(4) }],
    { status: 'passed', evidence: {}, measurements: { received: 3 } },
  );
  t.false(e.carried);
  t.like(e, { checkOutcome: 'passed', failedOn: 'backend' });
  t.regex(e.reason, /zone2 answered no echo request/);
  // a check that failed by itself says so in the evidence
  const telnet = byName('telnet');
  t.like(
    judge(telnet, lbTargetsOf(telnet, s), lb('none'), undefined, undefined, [], { status: 'failed', evidence: {} }),
    { checkOutcome: 'failed', carried: false },
  );
});

test("zon-lb's per-interface packets are said to be the interface's figure; the server's view of the client is evidence, said once (in the check's summary)", (t) => {
  const c = byName('telnet');
  const zon = (packets: number) => ({ 1: { packets, scope: 'interface veth0 (zon-lb stats)' } });
  const e = judge(c, lbTargetsOf(c, s), lb('zon-lb'), zon(3), zon(20), [], {
    status: 'passed',
    evidence: { serverSawClientAs: '10.2.0.1' },
  });
  t.true(e.carried);
  t.regex(e.reason, /interface veth0 \(zon-lb stats\): the interface's figure, not the group's: \+17 packets$/);
  t.is(e.serverSawClientAs, '10.2.0.1');
});

test("echo evidence never names the client's own namespace (an address on both: ping6 in vlan-netns-bridge)", (t) => {
  const v = loadScenario('vlan-netns-bridge');
  const c = v.checks.find((x) => x.name === 'ping6-vlan')!;
  const targets = lbTargetsOf(c, v);
  t.true(
    targets.some((x) => x.backendNetns.includes(c.from)),
    'the fixture: a backend address is also on the client',
  );
  t.false(echoNamespaces(c, targets).includes(c.from));
});

test('a check declared through = "none" is not judged, and says it did not go through the load balancer', async (t) => {
  const c = { ...byName('ping'), through: 'none' as const };
  t.deepEqual(lbTargetsOf(c, s), []);
  const proof = await startProof(c, s, lb('embedded'));
  const o = await proof.settle({
    name: 'ping',
    kind: 'ping',
    status: 'passed',
    summary: '3/3 replies',
    evidence: {},
    durationMs: 1,
  });
  t.is(o.summary, '3/3 replies; not through the load balancer (through = "none")');
  t.like(o.evidence.loadBalancer, { through: 'none' });
});
