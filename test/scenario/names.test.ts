import test from 'ava';
import { isNetSysctlKey } from '../../src/scenario/names.js';

test('a dotted interface (veth1.2) is spelled with "/" in a sysctl key', (t) => {
  t.true(isNetSysctlKey('net.ipv4.conf.veth1/2.forwarding'));
});

test('"/" is refused anywhere but in an interface name', (t) => {
  for (const bad of [
    'net.ipv4/conf.veth0.forwarding',
    'net.ipv4.conf.veth0.for/warding',
    'net.ipv4.conf.//.forwarding',
    'net.ipv4.conf./...x',
    'net.ipv4.ip/forward',
  ])
    t.false(isNetSysctlKey(bad), bad);
});
