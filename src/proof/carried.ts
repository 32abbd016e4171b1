import type { CheckOutcome } from '../checks/outcome.js';
import type { LoadedBalancer, ServiceCount } from '../drivers/driver.js';
import type { CheckSpec, NetnsRef, Scenario } from '../scenario/types.js';
import { readEchoCounts, type EchoCounts } from './icmp-counters.js';
import { lbTargetsOf, type LbTarget } from './targets.js';

/** What a check of a load-balanced service must show to pass: see DESIGN.md "What a verdict must prove". */
export interface CarriedEvidence {
  services: { gid: number; vip: string; scope?: string; before?: number; after?: number; delta?: number; backends?: Record<string, number> }[];
  /** ping: echo requests each backend namespace answered during the check. */
  backendEchoes?: { netns: string; answered: number }[];
  carried: boolean;
  reason: string;
}

export interface Proof {
  /** Adds the evidence to the outcome; a check the load balancer did not carry fails, saying so. */
  settle(outcome: CheckOutcome): Promise<CheckOutcome>;
}

const NOT_LOAD_BALANCED: Proof = { settle: async (o) => o };

/** Reads the per-service counts (and ping's echo counters) before a check; `settle` reads them after. No target, no proof needed. */
export async function startProof(check: CheckSpec, s: Scenario, lb: LoadedBalancer | undefined): Promise<Proof> {
  const targets = lbTargetsOf(check, s);
  if (!targets.length) return NOT_LOAD_BALANCED;
  const echoNetns = check.kind === 'ping' ? [...new Set(targets.flatMap((t) => t.backendNetns))] : [];
  const counts = () => lb?.serviceCounts?.().catch(() => undefined);
  const echoes = () => Promise.all(echoNetns.map(readEchoCounts));
  const [before, echoesBefore] = await Promise.all([counts(), echoes()]);
  return {
    async settle(outcome) {
      const [after, echoesAfter] = await Promise.all([counts(), echoes()]);
      const evidence = judge(check, targets, lb, before, after, echoNetns.map((ns, i) => ({ ns, before: echoesBefore[i]!, after: echoesAfter[i]! })));
      const settled = { ...outcome, evidence: { ...outcome.evidence, loadBalancer: evidence } };
      if (evidence.carried) return { ...settled, summary: `${outcome.summary}; ${evidence.reason}` };
      const error = `the load balancer did not carry it: ${evidence.reason}${outcome.status === 'failed' ? ` (and: ${outcome.error ?? outcome.summary})` : ''}`;
      return { ...settled, status: 'failed', summary: error, error };
    },
  };
}

type Counts = Record<number, ServiceCount> | undefined;

const isDsr = (s: LbTarget['service']) => s.backends.length > 0 && s.backends.every((b) => b.options.dsrL2);

/**
 * The DSR services among the targets whose driver tells requests from replies: replies it counted
 * (none in direct server return) by service, or undefined when it cannot tell.
 */
function dsrReplies(targets: LbTarget[], before: Counts, after: Counts): { gid: number; replies: number }[] | undefined {
  const told = targets.filter(({ service }) => isDsr(service) && after?.[service.gid]?.replies !== undefined);
  if (!told.length) return undefined;
  return told.map(({ service: { gid } }) => ({ gid, replies: after![gid]!.replies! - (before?.[gid]?.replies ?? 0) }));
}

export function judge(check: CheckSpec, targets: LbTarget[], lb: LoadedBalancer | undefined, before: Counts, after: Counts, echoes: { ns: NetnsRef; before: EchoCounts; after: EchoCounts }[]): CarriedEvidence {
  const services = targets.map(({ service }) => {
    const b = before?.[service.gid];
    const a = after?.[service.gid];
    const backends = a?.backends && Object.fromEntries(Object.entries(a.backends).map(([k, v]) => [k, v - (b?.backends?.[k] ?? 0)]));
    return { gid: service.gid, vip: service.vip, scope: a?.scope, before: b?.packets, after: a?.packets, delta: a && b ? a.packets - b.packets : undefined, ...(backends ? { backends } : {}) };
  });
  const gids = services.map((x) => x.gid).join(', ');
  if (!lb || lb.driver === 'none') return { services, carried: false, reason: `there is no load balancer (--lb none), so nothing counted the packets for service gid ${gids}` };
  if (!before || !after) return { services, carried: false, reason: `the ${lb.driver} driver cannot show per-service counts, so nothing proves it carried service gid ${gids}` };
  const moved = services.filter((x) => (x.delta ?? 0) > 0);
  // a scope may name the service itself ("service gid 1 (embedded, per backend)"): not "gid 1 service gid 1"
  const named = (x: (typeof services)[number]) => (x.scope?.startsWith(`service gid ${x.gid}`) ? x.scope : `gid ${x.gid} ${x.scope ?? ''}`);
  let counted = services.map((x) => `${named(x)}: +${x.delta ?? 0} packets`.replace(/ {2,}/g, ' ')).join(', ');
  if (!moved.length) return { services, carried: false, reason: `its counts did not move (${counted})` };
  const dsr = dsrReplies(targets, before, after);
  const through = dsr?.find((x) => x.replies > 0);
  if (through) return { services, carried: false, reason: `the load balancer counted ${through.replies} replies of DSR service gid ${through.gid}: in direct server return the backend answers the client itself` };
  if (dsr) counted += ', none of the replies (direct server return)';
  if (check.kind !== 'ping' || !echoes.length) return { services, carried: true, reason: `load balancer counted ${counted}` };
  const family = check.to.includes(':') ? 'v6' : 'v4';
  const backendEchoes = echoes.map((e) => ({ netns: e.ns ?? 'default', answered: e.after[family] - e.before[family] }));
  const answered = backendEchoes.reduce((n, e) => n + e.answered, 0);
  const where = backendEchoes.map((e) => e.netns).join(', ');
  if (answered === 0) return { services, backendEchoes, carried: false, reason: `the backend namespace ${where} answered no echo request (its ICMP${family === 'v6' ? 'v6' : ''} InEchos did not move), though the load balancer counted ${counted}` };
  return { services, backendEchoes, carried: true, reason: `load balancer counted ${counted}; ${where} answered ${answered} echo requests` };
}
