import test from 'ava';
import { ipBytes } from '../../../lab/net.js';
import { getLink, isNetlinkStep, requestFor, RTM } from '../../../lab/netlink/messages.js';

/** The rtattrs of a request after its fixed header, as type → payload. */
function attrs(msg: Buffer, headerLen: number): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  for (let off = 16 + headerLen; off + 4 <= msg.length;) {
    const len = msg.readUInt16LE(off);
    out.set(msg.readUInt16LE(off + 2), msg.subarray(off + 4, off + len));
    off += (len + 3) & ~3;
  }
  return out;
}

test('every request has a netlink header with its length, type, ACK flag and sequence', (t) => {
  const m = requestFor({ kind: 'link-up', netns: 'c0', dev: 'eth0' }, 7, 42);
  t.is(m.readUInt32LE(0), m.length);
  t.is(m.readUInt16LE(4), RTM.NEWLINK);
  t.is(m.readUInt16LE(6) & 0x5, 0x5, 'NLM_F_REQUEST | NLM_F_ACK');
  t.is(m.readUInt32LE(8), 42);
  t.is(m.readInt32LE(16 + 4), 7, 'ifindex');
  t.is(m.readUInt32LE(16 + 8), 1, 'IFF_UP set');
  t.is(m.readUInt32LE(16 + 12), 1, 'only IFF_UP changed');
});

test('an IPv4 address: local and address attributes, prefix, universe scope; 127/8 gets host scope as iproute2 gives it', (t) => {
  const m = requestFor(
    { kind: 'addr-add', netns: 'c0', dev: 'eth0', cidr: '10.128.0.2/30', family: 4, goesWithLab: true },
    3,
    1,
  );
  t.is(m.readUInt16LE(4), RTM.NEWADDR);
  t.is(m.readUInt16LE(6) & 0x600, 0x600, 'NLM_F_CREATE | NLM_F_EXCL: an address that exists is an error, as with ip');
  t.deepEqual([m[16], m[17], m[18], m[19], m.readUInt32LE(20)], [2, 30, 0, 0, 3]);
  const a = attrs(m, 8);
  t.deepEqual([...a.get(2)!], [10, 128, 0, 2]);
  t.deepEqual([...a.get(1)!], [10, 128, 0, 2]);
  const lo = requestFor(
    { kind: 'addr-add', netns: 'c0', dev: 'lo', cidr: '127.0.0.23/24', family: 4, goesWithLab: true },
    1,
    1,
  );
  t.is(lo[19], 254, 'RT_SCOPE_HOST');
});

test('an IPv6 address is added nodad, in any spelling', (t) => {
  const m = requestFor(
    { kind: 'addr-add', netns: 'c0', dev: 'eth0', cidr: '2001:db8::2:1/112', family: 6, goesWithLab: true },
    4,
    1,
  );
  t.deepEqual([m[16], m[17], m[18]], [10, 112, 0x02]);
  t.deepEqual(attrs(m, 8).get(2), ipBytes('2001:0db8:0:0:0:0:2:1'));
});

test('routes: on-link without a gateway, universe with one; default has no destination', (t) => {
  const dev = requestFor(
    { kind: 'route-add', netns: 'c0', to: 'default', family: 4, dev: 'eth0', goesWithLab: true },
    5,
    1,
  );
  t.is(dev.readUInt16LE(4), RTM.NEWROUTE);
  t.deepEqual(
    [...dev.subarray(16, 24)],
    [2, 0, 0, 0, 254, 3, 253, 1],
    'family, dst_len, src_len, tos, main table, boot protocol, link scope, unicast',
  );
  const da = attrs(dev, 12);
  t.false(da.has(1), 'no RTA_DST');
  t.is(da.get(4)!.readUInt32LE(0), 5, 'RTA_OIF');
  const via = requestFor(
    { kind: 'route-add', netns: 'c0', to: '10.2.0.0/24', family: 4, via: '10.0.0.1', goesWithLab: true },
    0,
    1,
  );
  t.deepEqual([via[16], via[17], via[22]], [2, 24, 0]);
  const va = attrs(via, 12);
  t.deepEqual([...va.get(1)!], [10, 2, 0, 0]);
  t.deepEqual([...va.get(5)!], [10, 0, 0, 1]);
  t.false(va.has(4), 'no device named, none sent');
  const v6 = requestFor(
    { kind: 'route-add', netns: 'c0', to: '::/0', family: 6, via: '2001:db8::1', goesWithLab: true },
    0,
    1,
  );
  t.deepEqual([v6[16], v6[17]], [10, 0]);
});

test('marks are interface aliases; mtu is IFLA_MTU; a link is asked for by name', (t) => {
  const mark = requestFor({ kind: 'netns-mark', netns: 'c0', marker: 'zonlab:abc:many' }, 1, 1);
  t.is(attrs(mark, 16).get(20)!.toString(), 'zonlab:abc:many');
  const mtu = requestFor({ kind: 'link-mtu', netns: 'c0', dev: 'eth0', mtu: 1310 }, 2, 1);
  t.is(attrs(mtu, 16).get(4)!.readUInt32LE(0), 1310);
  const get = getLink('eth0', 9);
  t.is(get.readUInt16LE(4), RTM.GETLINK);
  t.is(attrs(get, 16).get(3)!.toString(), 'eth0\0');
});

test('only link, address and route steps go over netlink', (t) => {
  t.true(isNetlinkStep({ kind: 'link-up', netns: 'c0', dev: 'lo' }));
  t.false(isNetlinkStep({ kind: 'netns-add', netns: 'c0' }));
  t.false(isNetlinkStep({ kind: 'sysctl', netns: 'c0', key: 'net.ipv4.ip_forward', value: '1', goesWithLab: true }));
  t.false(
    isNetlinkStep({
      kind: 'device-add',
      device: { kind: 'vlan', netns: 'c0', name: 'v', link: 'eth0', id: 5 } as never,
    }),
  );
});
