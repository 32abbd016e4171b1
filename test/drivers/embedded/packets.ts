/** Crafted packets and an independent checksum (full recomputation, RFC 1071): the XDP program's incremental updates are checked against it. */
export function checksum(buf: Buffer, initial = 0): number {
  let sum = initial;
  for (let i = 0; i + 1 < buf.length; i += 2) sum += buf.readUInt16BE(i);
  if (buf.length % 2) sum += buf[buf.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

const v4 = (ip: string) => Buffer.from(ip.split('.').map(Number));
function v6(ip: string): Buffer {
  const [h, t] = ip.split('::');
  const hs = h ? h.split(':') : [];
  const ts = t !== undefined && t !== '' ? t.split(':') : [];
  const groups = t === undefined ? hs : [...hs, ...Array(8 - hs.length - ts.length).fill('0'), ...ts];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g, 16), i * 2));
  return b;
}

export interface Spec {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  proto: 'tcp' | 'udp' | 'icmp';
  payload?: string;
}

const ETH = (type: number) =>
  Buffer.concat([
    Buffer.from('020000000002', 'hex'),
    Buffer.from('020000000001', 'hex'),
    Buffer.from([type >> 8, type & 255]),
  ]);

function l4(spec: Spec, pseudo: Buffer): Buffer {
  const payload = Buffer.from(spec.payload ?? 'zonlab');
  let h: Buffer;
  if (spec.proto === 'tcp') {
    h = Buffer.alloc(20);
    h.writeUInt16BE(spec.sport, 0);
    h.writeUInt16BE(spec.dport, 2);
    h.writeUInt32BE(1, 4);
    h.writeUInt8(5 << 4, 12);
    h.writeUInt8(0x18, 13);
    h.writeUInt16BE(65535, 14);
  } else if (spec.proto === 'udp') {
    h = Buffer.alloc(8);
    h.writeUInt16BE(spec.sport, 0);
    h.writeUInt16BE(spec.dport, 2);
    h.writeUInt16BE(8 + payload.length, 4);
  } else {
    h = Buffer.alloc(8);
    h.writeUInt8(pseudo.length === 40 ? 128 : 8, 0);
    h.writeUInt16BE(spec.sport, 4);
    h.writeUInt16BE(1, 6);
  }
  const seg = Buffer.concat([h, payload]);
  const off = spec.proto === 'tcp' ? 16 : spec.proto === 'udp' ? 6 : 2;
  const withPseudo = spec.proto !== 'icmp' || pseudo.length === 40;
  seg.writeUInt16BE(checksum(withPseudo ? Buffer.concat([pseudo, seg]) : seg), off);
  return seg;
}

const PROTO = { tcp: 6, udp: 17, icmp: 1 } as const;

export function ipv4Packet(spec: Spec): Buffer {
  const proto = PROTO[spec.proto];
  const pseudo = Buffer.concat([v4(spec.src), v4(spec.dst), Buffer.from([0, proto]), Buffer.alloc(2)]);
  const body0 = l4(spec, Buffer.alloc(12)); // length needed for the pseudo-header first
  pseudo.writeUInt16BE(body0.length, 10);
  const body = l4(spec, pseudo);
  const ip = Buffer.alloc(20);
  ip.writeUInt8(0x45, 0);
  ip.writeUInt16BE(20 + body.length, 2);
  ip.writeUInt8(64, 8);
  ip.writeUInt8(proto, 9);
  v4(spec.src).copy(ip, 12);
  v4(spec.dst).copy(ip, 16);
  ip.writeUInt16BE(checksum(ip), 10);
  return Buffer.concat([ETH(0x0800), ip, body]);
}

export function ipv6Packet(spec: Spec): Buffer {
  const proto = spec.proto === 'icmp' ? 58 : PROTO[spec.proto];
  const pseudoFor = (len: number) => {
    const p = Buffer.alloc(40);
    v6(spec.src).copy(p, 0);
    v6(spec.dst).copy(p, 16);
    p.writeUInt32BE(len, 32);
    p.writeUInt8(proto, 39);
    return p;
  };
  const len = l4(spec, Buffer.alloc(40)).length;
  const body = l4(spec, pseudoFor(len));
  const ip = Buffer.alloc(40);
  ip.writeUInt32BE(0x60000000, 0);
  ip.writeUInt16BE(body.length, 4);
  ip.writeUInt8(proto, 6);
  ip.writeUInt8(64, 7);
  v6(spec.src).copy(ip, 8);
  v6(spec.dst).copy(ip, 24);
  return Buffer.concat([ETH(0x86dd), ip, body]);
}

/** Reads a frame back: addresses, ports, and whether every checksum verifies from scratch. */
export function inspect(frame: Buffer): {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  checksumsOk: boolean;
} {
  const type = frame.readUInt16BE(12);
  if (type === 0x0800) {
    const ip = frame.subarray(14, 34);
    const proto = ip[9]!;
    const body = frame.subarray(34, 14 + ip.readUInt16BE(2));
    const pseudo = Buffer.concat([ip.subarray(12, 20), Buffer.from([0, proto, body.length >> 8, body.length & 255])]);
    const l4ok =
      proto === 1
        ? checksum(body) === 0
        : (proto === 17 && body.readUInt16BE(6) === 0) || checksum(Buffer.concat([pseudo, body])) === 0;
    const ports =
      proto === 1 ? [body.readUInt16BE(4), body.readUInt16BE(4)] : [body.readUInt16BE(0), body.readUInt16BE(2)];
    return {
      src: [...ip.subarray(12, 16)].join('.'),
      dst: [...ip.subarray(16, 20)].join('.'),
      sport: ports[0]!,
      dport: ports[1]!,
      checksumsOk: checksum(ip) === 0 && l4ok,
    };
  }
  const ip = frame.subarray(14, 54);
  const proto = ip[6]!;
  const body = frame.subarray(54, 54 + ip.readUInt16BE(4));
  const pseudo = Buffer.alloc(40);
  ip.copy(pseudo, 0, 8, 40);
  pseudo.writeUInt32BE(body.length, 32);
  pseudo.writeUInt8(proto, 39);
  const hex = (b: Buffer) => [...Array(8).keys()].map((i) => b.readUInt16BE(i * 2).toString(16)).join(':');
  const ports =
    proto === 58 ? [body.readUInt16BE(4), body.readUInt16BE(4)] : [body.readUInt16BE(0), body.readUInt16BE(2)];
  return {
    src: hex(ip.subarray(8, 24)),
    dst: hex(ip.subarray(24, 40)),
    sport: ports[0]!,
    dport: ports[1]!,
    checksumsOk: checksum(Buffer.concat([pseudo, body])) === 0,
  };
}

const mac = (b: Buffer) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');

/** The frame's MAC addresses, as `ip link` prints them. */
export function macs(frame: Buffer): { dst: string; src: string } {
  return { dst: mac(frame.subarray(0, 6)), src: mac(frame.subarray(6, 12)) };
}

/** Splits a frame's datagram in two fragments (the first carries the L4 header), as the sender's stack would. */
export function fragments(frame: Buffer, at: number, id: number): Buffer[] {
  if (at % 8) throw new Error('fragments split at multiples of 8 bytes');
  const eth = frame.subarray(0, 14);
  if (frame.readUInt16BE(12) === 0x0800) {
    const ip = frame.subarray(14, 34);
    const body = frame.subarray(34);
    return [body.subarray(0, at), body.subarray(at)].map((part, i) => {
      const h = Buffer.from(ip);
      h.writeUInt16BE(20 + part.length, 2);
      h.writeUInt16BE(id, 4);
      h.writeUInt16BE(i === 0 ? 0x2000 : at / 8, 6);
      h.writeUInt16BE(0, 10);
      h.writeUInt16BE(checksum(h), 10);
      return Buffer.concat([eth, h, part]);
    });
  }
  const ip = frame.subarray(14, 54);
  const body = frame.subarray(54);
  return [body.subarray(0, at), body.subarray(at)].map((part, i) => {
    const h = Buffer.from(ip);
    h.writeUInt16BE(8 + part.length, 4);
    h.writeUInt8(44, 6);
    const fh = Buffer.alloc(8);
    fh.writeUInt8(ip[6]!, 0);
    fh.writeUInt16BE(i === 0 ? 1 : at, 2);
    fh.writeUInt32BE(id, 4);
    return Buffer.concat([eth, h, fh, part]);
  });
}

/** The datagram the receiver reassembles from (rewritten) fragments: `inspect` then checks its L4 checksum from scratch. */
export function reassemble(frags: Buffer[]): Buffer {
  const first = frags[0]!;
  if (first.readUInt16BE(12) === 0x0800) {
    const parts = frags.map((f) => f.subarray(34, 14 + f.readUInt16BE(16)));
    const h = Buffer.from(first.subarray(14, 34));
    const len = parts.reduce((n, p) => n + p.length, 0);
    h.writeUInt16BE(20 + len, 2);
    h.writeUInt16BE(0, 6);
    h.writeUInt16BE(0, 10);
    h.writeUInt16BE(checksum(h), 10);
    return Buffer.concat([first.subarray(0, 14), h, ...parts]);
  }
  const parts = frags.map((f) => f.subarray(62, 54 + f.readUInt16BE(18)));
  const h = Buffer.from(first.subarray(14, 54));
  h.writeUInt16BE(
    parts.reduce((n, p) => n + p.length, 0),
    4,
  );
  h.writeUInt8(first[54]!, 6);
  return Buffer.concat([first.subarray(0, 14), h, ...parts]);
}

/** A fragment's addresses and, for IPv4, whether its header checksum verifies. */
export function inspectFragment(frame: Buffer): { src: string; dst: string; headerOk: boolean } {
  const v4 = frame.readUInt16BE(12) === 0x0800;
  const ip = frame.subarray(14, v4 ? 34 : 54);
  const hex = (b: Buffer) => [...Array(8).keys()].map((i) => b.readUInt16BE(i * 2).toString(16)).join(':');
  return v4
    ? { src: [...ip.subarray(12, 16)].join('.'), dst: [...ip.subarray(16, 20)].join('.'), headerOk: checksum(ip) === 0 }
    : { src: hex(ip.subarray(8, 24)), dst: hex(ip.subarray(24, 40)), headerOk: true };
}

/** An ICMP "fragmentation needed" / ICMPv6 "packet too big": who sends it, the MTU, what it quotes, whether its checksums verify. */
export function inspectTooBig(frame: Buffer): {
  src: string;
  dst: string;
  type: number;
  code: number;
  mtu: number;
  quote: Buffer;
  checksumsOk: boolean;
  length: number;
} {
  const { src, dst } = inspectFragment(frame);
  if (frame.readUInt16BE(12) === 0x0800) {
    const ip = frame.subarray(14, 34);
    const icmp = frame.subarray(34, 14 + ip.readUInt16BE(2));
    return {
      src,
      dst,
      type: icmp[0]!,
      code: icmp[1]!,
      mtu: icmp.readUInt16BE(6),
      quote: icmp.subarray(8),
      checksumsOk: checksum(ip) === 0 && checksum(icmp) === 0 && ip[9] === 1,
      length: frame.length,
    };
  }
  const ip = frame.subarray(14, 54);
  const icmp = frame.subarray(54, 54 + ip.readUInt16BE(4));
  const pseudo = Buffer.alloc(40);
  ip.copy(pseudo, 0, 8, 40);
  pseudo.writeUInt32BE(icmp.length, 32);
  pseudo.writeUInt8(58, 39);
  return {
    src,
    dst,
    type: icmp[0]!,
    code: icmp[1]!,
    mtu: icmp.readUInt32BE(4),
    quote: icmp.subarray(8),
    checksumsOk: checksum(Buffer.concat([pseudo, icmp])) === 0 && ip[6] === 58,
    length: frame.length,
  };
}
