import type { LatencyCheck } from '../scenario/types.js';
import { percentile } from '../traffic/stats.js';
import { type CheckOutcome, failedOutcome, measuredOutcome } from './outcome.js';
import { runClient, startServers } from './traffic-servers.js';

interface TransactionResult {
  latenciesUs: number[];
  backends: Record<string, number>;
  errors: string[];
  ms: number;
}

/** Latency percentiles of a set of transactions, in µs, as measurements (lower is better). */
export function latencyMeasurements(latenciesUs: number[]): Record<string, number> {
  return {
    latency_p50_us: percentile(latenciesUs, 50),
    latency_p90_us: percentile(latenciesUs, 90),
    latency_p99_us: percentile(latenciesUs, 99),
  };
}

/**
 * rr: `count` requests and responses on one connection; crr: a new connection for each (connect,
 * the backend's name, request, response, close): latency percentiles, and for crr connections a second.
 */
export async function runLatencyCheck(spec: LatencyCheck): Promise<CheckOutcome> {
  const t0 = Date.now();
  const evidence: Record<string, unknown> = { to: spec.to, port: spec.port, from: spec.from ?? 'default' };
  const fail = (error: string): CheckOutcome => failedOutcome(spec, t0, evidence, error);
  let servers: Awaited<ReturnType<typeof startServers>> | undefined;
  try {
    servers = await startServers(spec.servers, 'tcp', Math.ceil(spec.timeoutMs / 1000) + 10);
    evidence.serverCommands = servers.argv;
    const { argv, result } = await runClient<TransactionResult>(
      spec.from,
      spec.kind,
      { to: spec.to, port: spec.port, count: spec.count, size: spec.size },
      spec.timeoutMs,
    );
    evidence.clientCommand = argv;
    evidence.backends = result.backends;
    if (result.errors.length) evidence.errors = result.errors;
    const n = result.latenciesUs.length;
    if (!n) return fail(`no transaction completed: ${result.errors[0] ?? 'no answer'}`);
    const measurements = latencyMeasurements(result.latenciesUs);
    if (spec.kind === 'crr') measurements.connections_per_second = Math.round((n / result.ms) * 1000 * 10) / 10;
    const us = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(2)} ms` : `${v} µs`);
    const summary = `${n} ${spec.kind === 'rr' ? 'transactions on one connection' : 'connections'}: p50 ${us(measurements.latency_p50_us!)}, p90 ${us(measurements.latency_p90_us!)}, p99 ${us(measurements.latency_p99_us!)}${spec.kind === 'crr' ? `, ${measurements.connections_per_second} connections/s` : ''}`;
    const done = { name: spec.name, kind: spec.kind, evidence, measurements, durationMs: Date.now() - t0 };
    return measuredOutcome(
      done,
      summary,
      n < spec.count
        ? `${spec.count - n} of ${spec.count} transactions failed (first: ${result.errors[0] ?? '?'})`
        : undefined,
    );
  } catch (err) {
    return fail((err as Error).message);
  } finally {
    await servers?.stop();
  }
}
