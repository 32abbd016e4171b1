import { isInterfaceName, sysctlInterface } from '../../lab/net.js';

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
  if (segments.some((seg, i) => seg.includes('/') && i !== 3) || (s.includes('/') && !(dev && isInterfaceName(dev))))
    return false;
  return segments.every((seg) => seg !== '' && seg !== '..');
}

/** ethtool -K feature names as ethtool spells them. */
export function isEthtoolFeature(s: string): boolean {
  return /^[a-z0-9][a-z0-9-]{0,63}$/.test(s);
}

/** Levenshtein distance, for "did you mean" hints on unknown keys. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
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
