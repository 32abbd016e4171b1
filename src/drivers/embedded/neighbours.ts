import { runCommand } from '../../../lab/run-command.js';

const RESOLVED = new Set(['REACHABLE', 'STALE', 'DELAY', 'PROBE', 'PERMANENT', 'NOARP']);

/** The link and next hop the kernel would use toward an address (`ip route get`). */
export async function nextHop(ip: string): Promise<{ dev: string; hop: string } | undefined> {
  const r = await runCommand(['ip', '-j', 'route', 'get', ip], { reject: false });
  if (r.failed) return undefined;
  const [route] = JSON.parse(r.stdout) as { dev?: string; gateway?: string; type?: string }[];
  if (!route?.dev || route.type === 'local' || route.dev === 'lo') return undefined;
  return { dev: route.dev, hop: route.gateway ?? ip };
}

/**
 * Has the kernel resolve the neighbour toward each address (NTF_USE: the solicitation a first
 * forwarded packet would trigger, an ordinary cache entry) and waits until it answers. A packet
 * the XDP program cannot give a MAC to has no fallback in L2 DSR: its destination is still the VIP,
 * an address of this host, so the local stack would answer it instead of the backend.
 */
export async function resolveNeighbours(ips: string[], timeoutMs = 3000): Promise<void> {
  const hops = (await Promise.all([...new Set(ips)].map(nextHop))).filter((h): h is { dev: string; hop: string } => Boolean(h));
  for (const h of hops) await runCommand(['ip', 'neigh', 'replace', h.hop, 'dev', h.dev, 'use']);
  const deadline = Date.now() + timeoutMs;
  let waiting = hops;
  while (waiting.length) {
    const states = await Promise.all(waiting.map(async (h) => {
      const r = await runCommand(['ip', '-j', 'neigh', 'show', h.hop, 'dev', h.dev], { reject: false });
      const [entry] = r.failed ? [] : (JSON.parse(r.stdout) as { state?: string[] }[]);
      return entry?.state?.some((s) => RESOLVED.has(s)) ?? false;
    }));
    waiting = waiting.filter((_, i) => !states[i]);
    if (!waiting.length) return;
    if (Date.now() > deadline) {
      throw new Error(`no answer from ${waiting.map((h) => `${h.hop} on ${h.dev}`).join(', ')} within ${timeoutMs / 1000} s: the backends' link-layer addresses are unknown`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
