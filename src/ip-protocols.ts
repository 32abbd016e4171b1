/** The IP protocols zonlab's checks and drivers know, by the numbers zon-lb's `proto` and the packets carry. */
export const IPPROTO = { icmp: 1, tcp: 6, udp: 17, icmpv6: 58 } as const;

const NAMES = new Map<number, string>(Object.entries(IPPROTO).map(([name, n]) => [n, name]));

export const isKnownProtocol = (proto: number): boolean => NAMES.has(proto);

/** ICMP and ICMPv6 have no port: zon-lb looks their groups up with port 0. */
export const isIcmp = (proto: number): boolean => proto === IPPROTO.icmp || proto === IPPROTO.icmpv6;

/** "tcp", or "proto 47" for one zonlab does not know. */
export const protocolName = (proto: number): string => NAMES.get(proto) ?? `proto ${proto}`;

/** "icmp (1), tcp (6), udp (17) and icmpv6 (58)". */
export const KNOWN_PROTOCOLS = [...NAMES]
  .map(([n, name]) => `${name} (${n})`)
  .join(', ')
  .replace(/, ([^,]+)$/, ' and $1');
