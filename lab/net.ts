import { isIP } from 'node:net';

/** Linux IFNAMSIZ is 16 with the NUL; '/', ':' and white space are refused by the kernel or by iproute2. */
export function isInterfaceName(s: string): boolean {
  return /^[A-Za-z0-9_.-]{1,15}$/.test(s) && s !== '.' && s !== '..';
}

/**
 * The interface a per-interface sysctl names: net.ipv4.conf.veth0.forwarding → veth0, and
 * net.ipv4.conf.veth1/2.forwarding → veth1.2 (sysctl(8) spells a "." of an interface name "/").
 */
export function sysctlInterface(key: string): string | undefined {
  return /^net\.ipv[46]\.(?:conf|neigh)\.([^.]+)\./.exec(key)?.[1]?.replace(/\//g, '.');
}

/** `ip [-n NETNS] ARGS…`: undefined is the namespace this process runs in. */
export function ipArgv(netns: string | undefined, ...args: string[]): string[] {
  return inNamespace('ip', netns, args);
}

/** `tc [-n NETNS] ARGS…`, as ipArgv. */
export function tcArgv(netns: string | undefined, ...args: string[]): string[] {
  return inNamespace('tc', netns, args);
}

/** iproute2's tools take the namespace alike. */
const inNamespace = (tool: 'ip' | 'tc', netns: string | undefined, args: string[]): string[] =>
  netns === undefined ? [tool, ...args] : [tool, '-n', netns, ...args];

/** Commands in a namespace run through `ip netns exec`, which also gives them that namespace's /sys. */
export function inNetns(argv: string[], netns?: string): string[] {
  return netns === undefined ? argv : ['ip', 'netns', 'exec', netns, ...argv];
}

export interface Cidr {
  address: string;
  prefix: number;
  family: 4 | 6;
}

export function parseCidr(s: string): Cidr | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const family = isIP(m[1]!);
  if (family === 0) return undefined;
  const prefix = Number(m[2]);
  if (prefix > (family === 4 ? 32 : 128)) return undefined;
  return { address: m[1]!, prefix, family: family as 4 | 6 };
}

/** IPv6 has many spellings ("2001:db8::0:1" is "2001:db8::1"): compare their 16 bytes. */
export function sameIp(a: string, b: string): boolean {
  const fa = isIP(a);
  if (fa !== isIP(b) || fa === 0) return false;
  return fa === 4 ? a === b : expandIpv6(a) === expandIpv6(b);
}

/** 127/8 or ::1: an address every namespace answers on its own lo. */
export function isLoopback(ip: string): boolean {
  return isIP(ip) === 4 ? ip.startsWith('127.') : sameIp(ip, '::1');
}

/** All eight groups of four hex digits; a trailing dotted IPv4 ("::ffff:10.0.0.1") becomes two groups. */
export function expandIpv6(s: string): string {
  let text = s.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const n = v4.slice(1).map(Number);
    text = text.slice(0, v4.index) + `${((n[0]! << 8) | n[1]!).toString(16)}:${((n[2]! << 8) | n[3]!).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.map((g) => g.padStart(4, '0')).join(':');
}

/** An address in network order: 4 bytes for IPv4, 16 for IPv6. */
export function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  return Buffer.from(
    expandIpv6(ip)
      .split(':')
      .flatMap((g) => {
        const v = parseInt(g, 16);
        return [v >> 8, v & 255];
      }),
  );
}

/** An address as a number, for subnet arithmetic. */
export function ipValue(ip: string): bigint {
  return [...ipBytes(ip)].reduce((acc, b) => (acc << 8n) + BigInt(b), 0n);
}

/** The address of a 32- or 128-bit value; IPv6 as all eight groups, uncompressed (valid, and compared by value: sameIp). */
export function formatIp(v: bigint, bits: number): string {
  if (bits === 32) return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 255n)).join('.');
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((v >> s) & 0xffffn).toString(16));
  return groups.join(':');
}

/** Whether IP lies in CIDR (same family). */
export function inCidr(ip: string, cidr: Cidr): boolean {
  if (isIP(ip) !== cidr.family) return false;
  const shift = BigInt((cidr.family === 4 ? 32 : 128) - cidr.prefix);
  return ipValue(ip) >> shift === ipValue(cidr.address) >> shift;
}
