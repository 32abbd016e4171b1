import { isIP } from 'node:net';

/** Linux IFNAMSIZ is 16 with the NUL; '/', ':' and white space are refused by the kernel or by iproute2. */
export function isInterfaceName(s: string): boolean {
  return /^[A-Za-z0-9_.-]{1,15}$/.test(s) && s !== '.' && s !== '..';
}

/** Namespace names become file names under /run/netns: keep them to a safe, short alphabet. */
export function isNetnsName(s: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/.test(s) && !s.includes('..');
}

/** Scenario, server and check ids: also used in file names and nft table names. */
export function isIdentifier(s: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(s);
}

/**
 * sysctl keys a scenario may set: only network ones (they are per network namespace, so a
 * sandboxed run cannot change the machine), as plain dotted names of safe segments.
 */
export function isNetSysctlKey(s: string): boolean {
  if (!/^net(\.[A-Za-z0-9_/-]{1,64}){2,8}$/.test(s)) return false;
  // "/" only in an interface's segment, where sysctl(8) reads it as the "." of a name like veth1.2
  const segments = s.split('.');
  const dev = sysctlInterface(s);
  if (segments.some((seg, i) => seg.includes('/') && i !== 3) || (s.includes('/') && !(dev && isInterfaceName(dev)))) return false;
  return segments.every((seg) => seg !== '' && seg !== '..');
}

/**
 * The interface a per-interface sysctl names: net.ipv4.conf.veth0.forwarding → veth0, and
 * net.ipv4.conf.veth1/2.forwarding → veth1.2 (sysctl(8) spells a "." of an interface name "/").
 */
export function sysctlInterface(key: string): string | undefined {
  return /^net\.ipv[46]\.(?:conf|neigh)\.([^.]+)\./.exec(key)?.[1]?.replace(/\//g, '.');
}

/** ethtool -K feature names as ethtool spells them. */
export function isEthtoolFeature(s: string): boolean {
  return /^[a-z0-9][a-z0-9-]{0,63}$/.test(s);
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

/** Levenshtein distance, for "did you mean" hints on unknown keys. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) { best = c; bestDistance = d; }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** IPv6 has many spellings ("2001:db8::0:1" is "2001:db8::1"): compare their 16 bytes. */
export function sameIp(a: string, b: string): boolean {
  const fa = isIP(a);
  if (fa !== isIP(b) || fa === 0) return false;
  return fa === 4 ? a === b : expandIpv6(a) === expandIpv6(b);
}

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
