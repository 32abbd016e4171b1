import type { SpreadCheck } from '../scenario/types.js';
import { chiSquareTest, movedShare } from '../traffic/stats.js';
import { type CheckOutcome, failedOutcome } from './outcome.js';
import { runClient, startServers } from './traffic-servers.js';

interface SpreadResult {
  flows: [number, string][];
  errors: [number, string][];
  ms: number;
}

/** What a spread check keeps of its flows, for a later spread to compare with. */
export interface SpreadEvidence {
  counts: Record<string, number>;
  expectedShares: Record<string, number>;
  chiSquare: { statistic: number; degreesOfFreedom: number; p: number };
  moved?: { against: string; compared: number; moved: number; share: number };
  failed: number;
  /** [source port, backend] of every connection that got an answer. */
  flows: [number, string][];
}

/**
 * The earlier spread of the same run this one compares with: the last one from the same client to
 * the same service, both from fixed source ports (flows from ports the kernel picked are other flows).
 */
export function earlierSpread(spec: SpreadCheck, earlier: CheckOutcome[]): CheckOutcome | undefined {
  if (spec.sourcePort === undefined) return undefined;
  return [...earlier].reverse().find((o) => {
    const e = o.evidence as {
      to?: string;
      port?: number;
      from?: string;
      proto?: string;
      sourcePort?: number;
      spread?: SpreadEvidence;
    };
    return (
      o.kind === 'spread' &&
      e.spread &&
      e.sourcePort !== undefined &&
      e.to === spec.to &&
      e.port === spec.port &&
      e.proto === spec.proto &&
      e.from === (spec.from ?? 'default')
    );
  });
}

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

/**
 * N short connections to the VIP, each answered by a backend's server with its own name: the
 * counts per backend against the expected shares (Pearson's chi-square), and the flows that
 * moved since an earlier spread of the same client and service (by source port).
 */
export async function runSpreadCheck(spec: SpreadCheck, earlier: CheckOutcome[] = []): Promise<CheckOutcome> {
  const t0 = Date.now();
  const evidence: Record<string, unknown> = {
    to: spec.to,
    port: spec.port,
    from: spec.from ?? 'default',
    proto: spec.proto,
    ...(spec.sourcePort !== undefined ? { sourcePort: spec.sourcePort } : {}),
  };
  const fail = (error: string): CheckOutcome => failedOutcome({ name: spec.name, kind: 'spread' }, t0, evidence, error);
  let servers: Awaited<ReturnType<typeof startServers>> | undefined;
  try {
    servers = await startServers(spec.servers, spec.proto, Math.ceil(spec.timeoutMs / 1000) + 10);
    evidence.serverCommands = servers.argv;
    const { argv, result } = await runClient<SpreadResult>(
      spec.from,
      'spread',
      {
        to: spec.to,
        port: spec.port,
        connections: spec.connections,
        'source-port': spec.sourcePort,
        udp: spec.proto === 'udp',
        concurrency: spec.concurrency,
      },
      spec.timeoutMs,
    );
    evidence.clientCommand = argv;
    evidence.serversSaw = await servers.stop();
    servers = undefined;
    const names = spec.servers.map((s) => s.name);
    const expected = spec.expectBackends ?? names;
    const counts: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
    for (const [, name] of result.flows) counts[name] = (counts[name] ?? 0) + 1;
    const expectedShares = Object.fromEntries(names.map((n) => [n, expected.includes(n) ? 1 / expected.length : 0]));
    const chi = chiSquareTest(
      names.map((n) => counts[n]!),
      names.map((n) => expectedShares[n]!),
    );
    const spread: SpreadEvidence = {
      counts,
      expectedShares,
      chiSquare: chi,
      failed: result.errors.length,
      flows: result.flows,
    };
    const before = earlierSpread(spec, earlier);
    const moved = before && movedShare((before.evidence.spread as SpreadEvidence).flows, result.flows);
    if (before && moved) spread.moved = { against: before.name, ...moved };
    evidence.spread = spread;
    if (result.errors.length) evidence.errors = result.errors.slice(0, 20);
    const countsText =
      names.map((n) => `${n} ${counts[n]}`).join(', ') +
      Object.keys(counts)
        .filter((n) => !names.includes(n))
        .map((n) => `, unknown ${n} ${counts[n]}`)
        .join('');
    const measurements: Record<string, number> = { p: chi.p, failed_connections: result.errors.length };
    if (spread.moved) measurements.moved_share = spread.moved.share;
    const movedText = spread.moved
      ? `; moved ${pct(spread.moved.share)} of ${spread.moved.compared} flows since ${spread.moved.against}`
      : '';
    const summary = `${result.flows.length} of ${spec.connections} ${spec.proto} connections: ${countsText}; p = ${chi.p.toPrecision(3)}${movedText}`;
    const problems: string[] = [];
    if (result.errors.length)
      problems.push(
        `${result.errors.length} connections failed (first: port ${result.errors[0]![0]}: ${result.errors[0]![1]})`,
      );
    const starved = expected.filter((n) => !counts[n]);
    if (starved.length) problems.push(`${starved.join(', ')} got no connection`);
    const unwanted = Object.keys(counts).filter((n) => !expected.includes(n) && counts[n]! > 0);
    if (unwanted.length)
      problems.push(
        `${unwanted.map((n) => `${n} (${counts[n]})`).join(', ')} answered but ${unwanted.length > 1 ? 'are' : 'is'} not expected`,
      );
    if (chi.p < spec.minP) problems.push(`p = ${chi.p.toPrecision(3)} < min_p ${spec.minP}: not the expected shares`);
    const done = { name: spec.name, kind: 'spread' as const, evidence, measurements, durationMs: Date.now() - t0 };
    if (problems.length)
      return { ...done, status: 'failed', summary: `${problems.join('; ')} (${summary})`, error: problems.join('; ') };
    return { ...done, status: 'passed', summary };
  } catch (err) {
    return fail((err as Error).message);
  } finally {
    await servers?.stop();
  }
}
