import test from 'ava';
import { isIcmp, isKnownProtocol, KNOWN_PROTOCOLS, protocolName } from '../src/ip-protocols.js';

test('the four protocols by number and name; ICMP and ICMPv6 have no port; another is named by its number', (t) => {
  t.is(KNOWN_PROTOCOLS, 'icmp (1), tcp (6), udp (17) and icmpv6 (58)');
  t.deepEqual([1, 6, 17, 58, 47].map(protocolName), ['icmp', 'tcp', 'udp', 'icmpv6', 'proto 47']);
  t.deepEqual([1, 6, 17, 58, 0].map(isIcmp), [true, false, false, true, false]);
  t.false(isKnownProtocol(0));
});
