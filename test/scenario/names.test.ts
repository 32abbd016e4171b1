import test from 'ava';
import { isNetSysctlKey, sysctlInterface } from '../../src/scenario/names.js';

test('a per-interface sysctl names its interface, a dotted one (veth1.2) spelled with "/" as sysctl(8) does', (t) => {
  t.is(sysctlInterface('net.ipv4.conf.veth0.forwarding'), 'veth0');
  t.is(sysctlInterface('net.ipv6.neigh.veth2.base_reachable_time_ms'), 'veth2');
  t.is(sysctlInterface('net.ipv4.conf.veth1/2.forwarding'), 'veth1.2');
  t.is(sysctlInterface('net.ipv4.ip_forward'), undefined);
  t.true(isNetSysctlKey('net.ipv4.conf.veth1/2.forwarding'));
});

test('"/" is refused anywhere but in an interface name', (t) => {
  for (const bad of ['net.ipv4/conf.veth0.forwarding', 'net.ipv4.conf.veth0.for/warding', 'net.ipv4.conf.//.forwarding', 'net.ipv4.conf./...x', 'net.ipv4.ip/forward']) t.false(isNetSysctlKey(bad), bad);
});
