import type { HoldCheck } from '../scenario/types.js';
import { type CheckOutcome, failedOutcome, measuredOutcome } from './outcome.js';
import { startClient, startServers } from './traffic-servers.js';

export interface HeldConnection {
  port: number;
  backend?: string;
  tokens: number;
  longestGapMs: number;
  broken?: string;
  brokeAtMs?: number;
}

/**
 * N long-lived connections through the load balancer, a token each way every interval, while the
 * scenario's events change the load balancer: which connections broke (reset, timeout, a wrong
 * token) and the longest silence of any. `onStarted` is when the events' clock starts.
 */
export async function runHoldCheck(spec: HoldCheck, onStarted?: () => void): Promise<CheckOutcome> {
  const t0 = Date.now();
  const evidence: Record<string, unknown> = {
    to: spec.to,
    port: spec.port,
    from: spec.from ?? 'default',
    holdMs: spec.durationMs,
  };
  const fail = (error: string): CheckOutcome => failedOutcome({ name: spec.name, kind: 'hold' }, t0, evidence, error);
  let servers: Awaited<ReturnType<typeof startServers>> | undefined;
  try {
    servers = await startServers(spec.servers, 'tcp', Math.ceil(spec.timeoutMs / 1000) + 10);
    evidence.serverCommands = servers.argv;
    const client = startClient(
      spec.from,
      'hold',
      {
        to: spec.to,
        port: spec.port,
        connections: spec.connections,
        'interval-ms': spec.intervalMs,
        'duration-ms': spec.durationMs,
        ...(spec.churn ? { churn: spec.churn.flows, 'churn-sources': spec.churn.sources.join(',') || undefined } : {}),
      },
      spec.timeoutMs,
    );
    evidence.clientCommand = client.argv;
    onStarted?.();
    const r = await client.done;
    evidence.serversSaw = await servers.stop();
    servers = undefined;
    if (r.failed)
      return fail(
        `the traffic client (hold) failed: exit code ${r.exitCode}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`,
      );
    const { connections, churn } = JSON.parse(r.stdout) as {
      connections: HeldConnection[];
      churn?: { flows: number; done: number; errors: Record<string, number>; ms: number; perSecond: number };
    };
    evidence.connections = connections;
    if (churn) evidence.churn = churn;
    const backends: Record<string, number> = {};
    for (const c of connections) if (c.backend) backends[c.backend] = (backends[c.backend] ?? 0) + 1;
    evidence.backends = backends;
    const broken = connections.filter((c) => c.broken);
    const longest = Math.max(0, ...connections.map((c) => c.longestGapMs));
    const tokens = connections.reduce((n, c) => n + c.tokens, 0);
    const measurements: Record<string, number> = { broken: broken.length, longest_gap_ms: longest, tokens };
    if (churn) Object.assign(measurements, { churn_flows: churn.done, churn_per_second: churn.perSecond });
    const perBackend = Object.entries(backends)
      .map(([b, n]) => `${b} ${n}`)
      .join(', ');
    const summary = `${connections.length} connections (${perBackend}) for ${spec.durationMs / 1000} s: ${broken.length} broken, ${tokens} tokens each way, longest gap ${longest.toFixed(0)} ms${
      churn
        ? `; meanwhile ${churn.done} of ${churn.flows} new connections in ${(churn.ms / 1000).toFixed(1)} s${
            Object.keys(churn.errors).length
              ? ` (failed: ${Object.entries(churn.errors)
                  .map(([k, v]) => `${v} ${k}`)
                  .join(', ')})`
              : ''
          }`
        : ''
    }`;
    const done = { name: spec.name, kind: 'hold' as const, evidence, measurements, durationMs: Date.now() - t0 };
    const why = broken
      .slice(0, 3)
      .map(
        (c) =>
          `port ${c.port}${c.backend ? ` (${c.backend})` : ''}: ${c.broken} at ${((c.brokeAtMs ?? 0) / 1000).toFixed(1)} s`,
      )
      .join('; ');
    return measuredOutcome(
      done,
      summary,
      broken.length > spec.maxBroken
        ? `${broken.length} connections broke (max_broken ${spec.maxBroken}): ${why}`
        : undefined,
    );
  } catch (err) {
    return fail((err as Error).message);
  } finally {
    await servers?.stop();
  }
}
