import { isIP } from 'node:net';
import { runCommand } from '../../lab/run-command.js';
import type { PingCheck } from '../scenario/types.js';
import type { CheckOutcome } from './outcome.js';

export function parsePingSummary(out: string): { transmitted: number; received: number; avgMs?: number } | undefined {
  const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(out);
  if (!m) return undefined;
  const rtt = /= [\d.]+\/([\d.]+)\//.exec(out);
  return { transmitted: Number(m[1]), received: Number(m[2]), avgMs: rtt ? Number(rtt[1]) : undefined };
}

/** Passes when as many echoes are answered as the scenario expects (all, unless it says). */
export async function runPingCheck(spec: PingCheck): Promise<CheckOutcome> {
  const t0 = Date.now();
  const argv = pingArgv(spec);
  const r = await runCommand(argv, { netns: spec.from, reject: false, timeoutMs: spec.timeoutMs });
  const s = parsePingSummary(r.stdout);
  const evidence = { command: argv, output: r.stdout.trim().split('\n').slice(-3) };
  const enough = (n: number) => (spec.atLeast ? n >= spec.expectReceived : n === spec.expectReceived);
  const ok = s !== undefined && s.transmitted === spec.count && enough(s.received);
  const expected =
    spec.expectReceived === spec.count && !spec.atLeast
      ? ''
      : ` (${spec.atLeast ? 'at least ' : ''}${spec.expectReceived} expected)`;
  const summary = s
    ? `${s.received}/${s.transmitted} replies${expected}${s.avgMs !== undefined ? `, avg ${s.avgMs} ms` : ''}`
    : r.stderr.trim() || 'no ping summary';
  return {
    name: spec.name,
    kind: 'ping',
    status: ok ? 'passed' : 'failed',
    summary,
    evidence,
    measurements: s
      ? { transmitted: s.transmitted, received: s.received, ...(s.avgMs !== undefined ? { rtt_avg_ms: s.avgMs } : {}) }
      : undefined,
    durationMs: Date.now() - t0,
    error: ok ? undefined : summary,
  };
}

export function pingArgv(spec: PingCheck): string[] {
  return [
    'ping',
    ...(isIP(spec.to) === 6 ? ['-6'] : []),
    '-n',
    '-c',
    String(spec.count),
    '-s',
    String(spec.size),
    '-i',
    '0.2',
    '-W',
    '2',
    ...(spec.interface ? ['-I', spec.interface] : []),
    spec.to,
  ];
}
