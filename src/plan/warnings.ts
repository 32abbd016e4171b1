import { backendRoutes } from '../drivers/needs/backends.js';
import { farEnd } from '../drivers/needs/reach.js';
import { formatProblem, type Problem } from '../errors.js';
import type { DriverChoice, Scenario } from '../scenario/types.js';
import { forwardsWithXdp } from '../drivers/kinds.js';

/**
 * Something valid that will not do what it seems to: it never fails a command, and it goes to
 * stderr so that --json on stdout stays one document.
 */
export type Warning = Problem;

/** The scenario's warnings with this driver ('auto' is an XDP driver: zon-lb or the embedded one). */
export function scenarioWarnings(s: Scenario, driver: DriverChoice): Warning[] {
  return [...bypassedQdiscs(s, driver)];
}

export function printWarnings(
  warnings: Warning[],
  write: (line: string) => void = (l) => process.stderr.write(l),
): void {
  for (const w of warnings) write(`zonlab: warning: ${formatProblem(w)}\n`);
}

/** An XDP redirect hands frames straight to the veth's peer: that link's qdisc never shapes what the load balancer sends. */
function bypassedQdiscs(s: Scenario, driver: DriverChoice): Warning[] {
  const config = s.lb.config;
  if (!config || !forwardsWithXdp(driver)) return [];
  const backendLinks = new Set(backendRoutes('embedded', config, s).hops.map((h) => h.dev));
  const targets = new Set([...config.interfaces, ...backendLinks]);
  const clientEnds = config.interfaces
    .filter((i) => !backendLinks.has(i))
    .map((i) => farEnd(s, undefined, i))
    .filter((e) => e !== undefined);
  const at = (e: { netns?: string; dev: string }) => `${e.dev}${e.netns ? ` with netns = "${e.netns}"` : ''}`;
  const out: Warning[] = [];
  for (const q of s.qdiscs) {
    if (q.netns !== undefined || !targets.has(q.dev)) continue;
    const backendEnd = backendLinks.has(q.dev) ? farEnd(s, undefined, q.dev) : undefined;
    const where = [
      ...(clientEnds.length ? [`on the clients' side (${clientEnds.map(at).join(', ')}) for what they send`] : []),
      ...(backendEnd ? [`on the backend's side (${at(backendEnd)}) for what it sends`] : []),
    ];
    out.push({
      file: q.at?.file ?? s.files[0] ?? s.name,
      key: q.at?.key ?? 'qdisc',
      line: q.at?.line,
      message: `XDP redirects the load-balanced frames into ${q.dev} past its qdisc: with ${driver === 'auto' ? 'an XDP driver (auto: zon-lb or embedded)' : `the ${driver} driver`} this ${q.rate} limit does not shape them (with nft it does)`,
      hint: `a [[qdisc]] shapes where a kernel stack sends, before the load balancer: ${where.join('; ') || "on the sender's end of its link"}`,
    });
  }
  return out;
}
