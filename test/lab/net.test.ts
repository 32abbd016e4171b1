import test from 'ava';
import {
  expandIpv6,
  formatIp,
  inCidr,
  inNetns,
  ipArgv,
  ipBytes,
  ipValue,
  isLoopback,
  parseCidr,
  sameIp,
  sysctlInterface,
} from '../../lab/net.js';

test('a per-interface sysctl names its interface, a dotted one (veth1.2) spelled with "/" as sysctl(8) does', (t) => {
  t.is(sysctlInterface('net.ipv4.conf.veth0.forwarding'), 'veth0');
  t.is(sysctlInterface('net.ipv6.neigh.veth2.base_reachable_time_ms'), 'veth2');
  t.is(sysctlInterface('net.ipv4.conf.veth1/2.forwarding'), 'veth1.2');
  t.is(sysctlInterface('net.ipv4.ip_forward'), undefined);
});

test('ip argv: -n only for a named namespace', (t) => {
  t.deepEqual(ipArgv(undefined, 'link', 'show'), ['ip', 'link', 'show']);
  t.deepEqual(ipArgv('zone1', 'link', 'show'), ['ip', '-n', 'zone1', 'link', 'show']);
});

test('a command in a namespace: through ip netns exec for a named one, as it is for the default', (t) => {
  t.deepEqual(inNetns(['ss', '-tln']), ['ss', '-tln']);
  t.deepEqual(inNetns(['ss', '-tln'], 'zone1'), ['ip', 'netns', 'exec', 'zone1', 'ss', '-tln']);
});

test('addresses as bytes: 4 for IPv4, 16 for IPv6 in any spelling', (t) => {
  t.is(ipBytes('10.0.0.254').toString('hex'), '0a0000fe');
  t.is(ipBytes('::ffff:10.0.0.1').toString('hex'), '00000000000000000000ffff0a000001');
  t.deepEqual(ipBytes('2001:db8::2:1'), ipBytes('2001:0db8:0:0:0:0:2:1'));
  t.is(expandIpv6('2001:db8::1'), '2001:0db8:0000:0000:0000:0000:0000:0001');
});

test('ip arithmetic', (t) => {
  t.is(formatIp(ipValue('10.128.15.157'), 32), '10.128.15.157');
  t.is(formatIp(ipValue('2001:db8::2:1'), 128), '2001:db8:0:0:0:0:2:1');
});

test('cidrs: parsed, and what lies in them', (t) => {
  t.deepEqual(parseCidr('10.0.0.1/24'), { address: '10.0.0.1', prefix: 24, family: 4 });
  t.is(parseCidr('10.0.0.1/33'), undefined);
  t.true(inCidr('10.0.0.77', parseCidr('10.0.0.0/24')!));
  t.false(inCidr('10.0.1.77', parseCidr('10.0.0.0/24')!));
  t.false(inCidr('::1', parseCidr('10.0.0.0/8')!));
  t.true(sameIp('2001:db8::0:1', '2001:db8::1'));
});

test('loopback: 127/8 and ::1 however it is written; nothing else', (t) => {
  for (const ip of ['127.0.0.1', '127.0.0.23', '::1', '0:0::1']) t.true(isLoopback(ip), ip);
  for (const ip of ['10.0.0.1', '::2', '2001:db8::1', 'not an address', '128.0.0.1']) t.false(isLoopback(ip), ip);
});
