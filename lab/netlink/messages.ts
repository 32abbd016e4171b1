import { ipBytes } from '../net.js';
import type { Step } from '../steps.js';

/** rtnetlink requests built as iproute2 builds them for the same `ip` line, so a lab is the same either way (test/lab/engines.test.ts). Pure. */
export const RTM = { NEWLINK: 16, GETLINK: 18, NEWADDR: 20, NEWROUTE: 24 } as const;
// <linux/netlink.h>, <linux/if_link.h>, <linux/if_addr.h>, <linux/rtnetlink.h>, grouped by prefix
const NLM_F = { REQUEST: 0x1, ACK: 0x4, EXCL: 0x200, CREATE: 0x400 } as const;
const IFLA = { IFNAME: 3, MTU: 4, IFALIAS: 20 } as const;
const IFF_UP = 0x1;
const IFA = { ADDRESS: 1, LOCAL: 2 } as const;
const IFA_F_NODAD = 0x02;
const RTA = { DST: 1, OIF: 4, GATEWAY: 5 } as const;
const RT_TABLE_MAIN = 254;
const RTPROT_BOOT = 3;
const RT_SCOPE = { UNIVERSE: 0, LINK: 253, HOST: 254 } as const;
const RTN_UNICAST = 1;
const AF = { INET: 2, INET6: 10 } as const;

/** The steps a namespace's netlink batch can carry; anything else goes to `ip`. */
export type NetlinkStep = Extract<
  Step,
  { kind: 'netns-mark' | 'link-mark' | 'link-up' | 'link-mtu' | 'addr-add' | 'route-add' }
>;

export function isNetlinkStep(s: Step): s is NetlinkStep {
  return (
    s.kind === 'netns-mark' ||
    s.kind === 'link-mark' ||
    s.kind === 'link-up' ||
    s.kind === 'link-mtu' ||
    s.kind === 'addr-add' ||
    s.kind === 'route-add'
  );
}

/** The interface whose index a step's request carries (a route without `dev` needs none). */
export function deviceOf(s: NetlinkStep): string | undefined {
  return s.kind === 'netns-mark' ? 'lo' : s.dev;
}

function attr(type: number, data: Buffer): Buffer {
  const len = 4 + data.length;
  const out = Buffer.alloc((len + 3) & ~3);
  out.writeUInt16LE(len, 0);
  out.writeUInt16LE(type, 2);
  data.copy(out, 4);
  return out;
}

const u32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
};
const str = (s: string) => Buffer.from(`${s}\0`, 'utf8');

function message(type: number, flags: number, seq: number, header: Buffer, attrs: Buffer[]): Buffer {
  const body = Buffer.concat([header, ...attrs]);
  const out = Buffer.alloc(16 + body.length);
  out.writeUInt32LE(out.length, 0);
  out.writeUInt16LE(type, 4);
  out.writeUInt16LE(flags | NLM_F.REQUEST | NLM_F.ACK, 6);
  out.writeUInt32LE(seq, 8);
  out.writeUInt32LE(0, 12);
  body.copy(out, 16);
  return out;
}

function ifinfo(index: number, flags = 0, change = 0): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt8(0, 0); // AF_UNSPEC
  b.writeInt32LE(index, 4);
  b.writeUInt32LE(flags, 8);
  b.writeUInt32LE(change, 12);
  return b;
}

/** "10.0.0.1" or an IPv6 address in any spelling → its bytes in network order. */
/** RTM_GETLINK by name: the reply carries the index. */
export function getLink(name: string, seq: number): Buffer {
  return message(RTM.GETLINK, 0, seq, ifinfo(0), [attr(IFLA.IFNAME, str(name))]);
}

/** The ifindex in an RTM_NEWLINK answer. */
export function indexOfLinkReply(body: Buffer): number {
  return body.readInt32LE(4);
}

/** The request for one step; `index` is the ifindex of deviceOf(step) in its namespace. */
export function requestFor(s: NetlinkStep, index: number, seq: number): Buffer {
  switch (s.kind) {
    case 'netns-mark':
    case 'link-mark':
      return message(RTM.NEWLINK, 0, seq, ifinfo(index), [attr(IFLA.IFALIAS, Buffer.from(s.marker, 'utf8'))]);
    case 'link-up':
      return message(RTM.NEWLINK, 0, seq, ifinfo(index, IFF_UP, IFF_UP), []);
    case 'link-mtu':
      return message(RTM.NEWLINK, 0, seq, ifinfo(index), [attr(IFLA.MTU, u32(s.mtu))]);
    case 'addr-add': {
      const [address, prefix] = s.cidr.split('/') as [string, string];
      const bytes = ipBytes(address);
      const h = Buffer.alloc(8);
      h.writeUInt8(s.family === 4 ? AF.INET : AF.INET6, 0);
      h.writeUInt8(Number(prefix), 1);
      h.writeUInt8(s.family === 6 ? IFA_F_NODAD : 0, 2); // the engine adds IPv6 addresses nodad
      // iproute2's default_scope(): host for 127/8, else universe
      h.writeUInt8(s.family === 4 && bytes[0] === 127 ? RT_SCOPE.HOST : RT_SCOPE.UNIVERSE, 3);
      h.writeUInt32LE(index, 4);
      return message(RTM.NEWADDR, NLM_F.CREATE | NLM_F.EXCL, seq, h, [
        attr(IFA.LOCAL, bytes),
        attr(IFA.ADDRESS, bytes),
      ]);
    }
    case 'route-add': {
      const family = s.family === 4 ? AF.INET : AF.INET6;
      const isDefault = s.to === 'default' || s.to === '::/0' || s.to === '0.0.0.0/0';
      const [dst, len] = isDefault
        ? [undefined, 0]
        : [s.to.split('/')[0]!, Number(s.to.split('/')[1] ?? (s.family === 4 ? 32 : 128))];
      const h = Buffer.alloc(12);
      h.writeUInt8(family, 0);
      h.writeUInt8(len, 1);
      h.writeUInt8(RT_TABLE_MAIN, 4);
      h.writeUInt8(RTPROT_BOOT, 5);
      // iproute2: a unicast route with no gateway is on-link
      h.writeUInt8(s.via ? RT_SCOPE.UNIVERSE : RT_SCOPE.LINK, 6);
      h.writeUInt8(RTN_UNICAST, 7);
      const attrs: Buffer[] = [];
      if (dst !== undefined) attrs.push(attr(RTA.DST, ipBytes(dst)));
      if (s.via) attrs.push(attr(RTA.GATEWAY, ipBytes(s.via)));
      if (s.dev) attrs.push(attr(RTA.OIF, u32(index)));
      return message(RTM.NEWROUTE, NLM_F.CREATE | NLM_F.EXCL, seq, h, attrs);
    }
  }
}
