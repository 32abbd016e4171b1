import test from 'ava';
import { loadScenario } from '../../src/scenario/load.js';
import { lbTargetsOf, owners } from '../../src/proof/targets.js';

const check = (s: ReturnType<typeof loadScenario>, name: string) => s.checks.find((c) => c.name === name)!;

test('a check targets the services with its VIP, protocol and port, whatever netif the group is declared on', (t) => {
  const s = loadScenario('netns-veth-to-netns');
  t.deepEqual(
    lbTargetsOf(check(s, 'telnet'), s).map((x) => x.service.gid),
    [1],
  );
  t.deepEqual(
    lbTargetsOf(check(s, 'nc-udp'), s).map((x) => x.service.gid),
    [2],
  );
  // the example declares its ICMP group on veth2; the client pings the VIP through veth0
  const ping = lbTargetsOf(check(s, 'ping'), s);
  t.deepEqual(
    ping.map((x) => x.service.gid),
    [3],
  );
  t.deepEqual(ping[0]!.backendNetns, ['zone2']);
});

test('IPv6 checks target the IPv6 groups, however the VIP is spelled', (t) => {
  const s = loadScenario('ip-fragmentation');
  // the zonlb.toml writes 2001:db8::0:1, the check 2001:db8::1
  t.deepEqual(
    lbTargetsOf(check(s, 'ping6-2040'), s).map((x) => x.service.gid),
    [3],
  );
  t.deepEqual(
    lbTargetsOf(check(s, 'nc6-udp'), s).map((x) => x.service.gid),
    [2],
  );
  t.deepEqual(lbTargetsOf(check(s, 'ping-2040'), s)[0]!.backendNetns, ['zone1']);
});

test('a check to an address that is no VIP targets nothing; a loopback backend lives in the default namespace', (t) => {
  const direct = loadScenario('lb-bench-direct');
  t.deepEqual(
    direct.checks.flatMap((c) => lbTargetsOf(c, direct)),
    [],
  );
  const seed = loadScenario('veth-netns');
  t.deepEqual(owners(seed, '127.0.0.23'), [undefined]);
  t.deepEqual(lbTargetsOf(check(seed, 'iperf3'), seed)[0]!.backendNetns, [undefined]);
});
