import type { CheckOutcome } from '../checks/outcome.js';
import type { LoadedBalancer, ServiceCount } from '../drivers/driver.js';
import type { CheckSpec, NetnsRef, Scenario } from '../scenario/types.js';
import { readEchoCounts, type EchoCounts } from './icmp-counters.js';
import { lbTargetsOf, type LbTarget } from './targets.js';

/** What a check of a load-balanced service must show to pass: see DESIGN.md "What a verdict must prove". */
export interface CarriedEvidence {
  /**
   * Per targeted service: `delta` is what proves the check, the request direction where the driver
   * tells it (`requests`), else its one figure; `replies` beside it.
   */
  services: {
    gid: number;
    vip: string;
    scope?: string;
    before?: number;
    after?: number;
    delta?: number;
    requests?: number;
    replies?: number;
    backends?: Record<string, number>;
  }[];
  /** ping: echo requests each backend namespace (never the client's own) answered during the check. */
  backendEchoes?: { netns: string; answered: number }[];
  /** telnet, nc, iperf, iperf3: the address the server saw the client as (backend-side evidence). */
  serverSawClientAs?: string;
  /** The check's own outcome, before the proof: the negative control tells "failed by itself" from "failed by the evidence". */
  checkOutcome: 'passed' | 'failed';
  /** Which evidence failed it: the driver's counts, or what the backend side saw. */
  failedOn?: 'counts' | 'backend';
  carried: boolean;
  reason: string;
}

export interface Proof {
  /** Adds the evidence to the outcome; a check the load balancer did not carry fails, saying so. */
  settle(outcome: CheckOutcome): Promise<CheckOutcome>;
}

const NOT_LOAD_BALANCED: Proof = { settle: async (o) => o };

/** A check declared `through = "none"`: it passes or fails by itself, and every output says it did not go through the load balancer. */
const BYPASS: Proof = {
  settle: async (o) => ({
    ...o,
    summary: `${o.summary}; not through the load balancer (through = "none")`,
    evidence: { ...o.evidence, loadBalancer: { through: 'none', reason: 'not through the load balancer' } },
  }),
};

/** Reads the per-service counts (and ping's echo counters) before a check; `settle` reads them after. No target, no proof needed. */
export async function startProof(check: CheckSpec, s: Scenario, lb: LoadedBalancer | undefined): Promise<Proof> {
  if (check.through === 'none') return BYPASS;
  const targets = lbTargetsOf(check, s);
  if (!targets.length) return NOT_LOAD_BALANCED;
  const echoNetns = check.kind === 'ping' ? echoNamespaces(check, targets) : [];
  const counts = () => lb?.serviceCounts?.().catch(() => undefined);
  const echoes = () => Promise.all(echoNetns.map(readEchoCounts));
  const [before, echoesBefore] = await Promise.all([counts(), echoes()]);
  return {
    async settle(outcome) {
      const [after, echoesAfter] = await Promise.all([counts(), echoes()]);
      const evidence = judge(
        check,
        targets,
        lb,
        before,
        after,
        echoNetns.map((ns, i) => ({ ns, before: echoesBefore[i]!, after: echoesAfter[i]! })),
        outcome,
      );
      const settled = { ...outcome, evidence: { ...outcome.evidence, loadBalancer: evidence } };
      if (evidence.carried) return { ...settled, summary: `${outcome.summary}; ${evidence.reason}` };
      const error = `the load balancer did not carry it: ${evidence.reason}${outcome.status === 'failed' ? ` (and: ${outcome.error ?? outcome.summary})` : ''}`;
      return { ...settled, status: 'failed', summary: error, error };
    },
  };
}

/**
 * The namespaces whose echo counters prove a ping: those of the backends, but never the client's
 * own (an address on both, as ping6 in vlan-netns-bridge, would count the client's own answers).
 */
export function echoNamespaces(check: CheckSpec, targets: LbTarget[]): NetnsRef[] {
  return [...new Set(targets.flatMap((t) => t.backendNetns))].filter((ns) => ns !== check.from);
}

type Counts = Record<number, ServiceCount> | undefined;

const isDsr = (s: LbTarget['service']) => s.backends.length > 0 && s.backends.every((b) => b.options.dsrL2);

/** zon-lb's `packets` is one figure per interface, given to every group on it: said so wherever it is shown. */
const scopeText = (scope: string | undefined) =>
  scope?.startsWith('interface ') ? `${scope}: the interface's figure, not the group's` : (scope ?? '');

/**
 * The DSR services among the targets whose driver tells requests from replies: replies it counted
 * (none in direct server return) by service, or undefined when it cannot tell.
 */
function dsrReplies(
  targets: LbTarget[],
  before: Counts,
  after: Counts,
): { gid: number; replies: number }[] | undefined {
  const told = targets.filter(({ service }) => isDsr(service) && after?.[service.gid]?.replies !== undefined);
  if (!told.length) return undefined;
  return told.map(({ service: { gid } }) => ({ gid, replies: after![gid]!.replies! - (before?.[gid]?.replies ?? 0) }));
}

const diff = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined ? a - b : undefined);

/**
 * The verdict, backend side first: what the backend saw (ping: its namespace answered at least
 * the echoes the client got back) can fail a check whatever the driver counted, and is the only
 * evidence when the driver counts nothing (--lb none). Then the driver's counts of the request
 * direction must move; a DSR service's replies must not.
 */
export function judge(
  check: CheckSpec,
  targets: LbTarget[],
  lb: LoadedBalancer | undefined,
  before: Counts,
  after: Counts,
  echoes: { ns: NetnsRef; before: EchoCounts; after: EchoCounts }[],
  outcome?: Pick<CheckOutcome, 'status' | 'evidence' | 'measurements'>,
): CarriedEvidence {
  const services = targets.map(({ service }) => {
    const b = before?.[service.gid];
    const a = after?.[service.gid];
    const backends =
      a?.backends && Object.fromEntries(Object.entries(a.backends).map(([k, v]) => [k, v - (b?.backends?.[k] ?? 0)]));
    const requests = diff(a?.requests, b?.requests);
    const replies = diff(a?.replies, b?.replies);
    return {
      gid: service.gid,
      vip: service.vip,
      scope: a?.scope,
      before: b?.packets,
      after: a?.packets,
      delta: requests ?? diff(a?.packets, b?.packets),
      ...(requests !== undefined ? { requests, replies } : {}),
      ...(backends ? { backends } : {}),
    };
  });
  const checkOutcome = outcome?.status ?? 'passed';
  const gids = services.map((x) => x.gid).join(', ');
  const base = { services, checkOutcome } as const;
  const seen =
    typeof outcome?.evidence?.serverSawClientAs === 'string' ? outcome.evidence.serverSawClientAs : undefined;
  const withSeen = check.kind === 'ping' ? {} : { serverSawClientAs: seen };

  // the backend side: ping's echo counters
  let echoText = '';
  let backendEchoes: CarriedEvidence['backendEchoes'];
  if (check.kind === 'ping' && echoes.length) {
    const family = check.to.includes(':') ? 'v6' : 'v4';
    backendEchoes = echoes.map((e) => ({ netns: e.ns ?? 'default', answered: e.after[family] - e.before[family] }));
    const answered = backendEchoes.reduce((n, e) => n + e.answered, 0);
    const received = outcome?.measurements?.received ?? (checkOutcome === 'passed' ? 1 : 0);
    const where = backendEchoes.map((e) => e.netns).join(', ');
    if (answered < received) {
      const why =
        answered === 0
          ? `the backend namespace ${where} answered no echo request (its ICMP${family === 'v6' ? 'v6' : ''} InEchos did not move), though the client got ${received} replies`
          : `the backend namespace ${where} answered ${answered} echo requests, fewer than the ${received} replies the client got: the others were answered elsewhere`;
      return { ...base, backendEchoes, failedOn: 'backend', carried: false, reason: why };
    }
    echoText = `; ${where} answered ${answered} echo requests`;
  }

  const blind =
    !lb || lb.driver === 'none'
      ? 'there is no load balancer (--lb none), so nothing counted'
      : `the ${lb.driver} driver cannot show per-service counts, so nothing counted`;
  if (!before || !after)
    return {
      ...base,
      ...withSeen,
      backendEchoes,
      failedOn: 'counts',
      carried: false,
      reason: `${blind} the packets of service gid ${gids}`,
    };
  const moved = services.filter((x) => (x.delta ?? 0) > 0);
  // a scope may name the service itself ("service gid 1 (embedded, per backend)"): not "gid 1 service gid 1"
  const named = (x: (typeof services)[number]) =>
    x.scope?.startsWith(`service gid ${x.gid}`) ? x.scope : `gid ${x.gid} ${scopeText(x.scope)}`;
  let counted = services
    .map((x) =>
      (x.requests !== undefined
        ? `gid ${x.gid}: +${x.requests} requests, +${x.replies ?? 0} replies`
        : `${named(x)}: +${x.delta ?? 0} packets`
      ).replace(/ {2,}/g, ' '),
    )
    .join(', ');
  // a count that went down restarted during the check (a new program counts from 0): no proof either way
  const down = services.filter((x) => (x.delta ?? 0) < 0);
  if (down.length && !moved.length)
    return {
      ...base,
      ...withSeen,
      backendEchoes,
      failedOn: 'counts',
      carried: false,
      reason: `its counts went down during the check (${down.map((x) => `gid ${x.gid}: ${x.before} → ${x.after}`).join(', ')}): its counters restarted, so they prove nothing`,
    };
  if (!moved.length) {
    const what = services.some((x) => x.requests !== undefined)
      ? 'its counts of the requests did not move'
      : 'its counts did not move';
    return { ...base, ...withSeen, backendEchoes, failedOn: 'counts', carried: false, reason: `${what} (${counted})` };
  }
  const dsr = dsrReplies(targets, before, after);
  const through = dsr?.find((x) => x.replies > 0);
  if (through)
    return {
      ...base,
      ...withSeen,
      backendEchoes,
      failedOn: 'counts',
      carried: false,
      reason: `the load balancer counted ${through.replies} replies of DSR service gid ${through.gid}: in direct server return the backend answers the client itself`,
    };
  if (dsr) counted += ', none of the replies (direct server return)';
  return { ...base, ...withSeen, backendEchoes, carried: true, reason: `load balancer counted ${counted}${echoText}` };
}
