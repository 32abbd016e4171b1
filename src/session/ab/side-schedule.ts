import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { CheckOutcome } from '../../checks/outcome.js';
import { isSampled, type Scenario } from '../../scenario/types.js';
import type { Schedule, Step } from '../run-scenario.js';
import type { RoundSample } from './rounds.js';

/**
 * What a side of `zonlab ab` and its parent say to each other, one JSON document a line: the
 * parent writes requests on the side's stdin, the side answers on its stdout (its progress goes
 * to stderr, as a run's does).
 */
export type Request = { round: number } | { end: true };

export type Reply =
  /** The lab is up, the load balancer loaded, the checks that are not throughput done once. */
  | { type: 'ready'; checks: { name: string; status: string; summary: string }[] }
  /** One sample of every throughput check: the figures of those that passed, the failures' summaries. */
  | { type: 'sample'; round: number; figures: RoundSample; failed: { name: string; summary: string }[]; ms: number }
  /** Torn down, the run's record written. */
  | { type: 'record'; file?: string; status: string };

export const encode = (m: Request | Reply) => `${JSON.stringify(m)}\n`;

/**
 * A side's schedule: every check that is not a throughput check once (they prove the lab and the
 * load balancer work), then, per request, round k: one sample of each throughput check. It ends
 * on "end", or when the parent's pipe closes (the parent died or was interrupted).
 */
export function sideSchedule(s: Scenario, input: Readable, send: (r: Reply) => void): Schedule {
  const outcomes: CheckOutcome[] = [];
  let rounds = 0;
  const throughput = s.checks.filter(isSampled);
  return {
    async *steps(): AsyncGenerator<Step> {
      for (const check of s.checks.filter((c) => !isSampled(c))) yield { check, label: '' };
      send({ type: 'ready', checks: outcomes.map((o) => ({ name: o.name, status: o.status, summary: o.summary })) });
      if (outcomes.some((o) => o.status !== 'passed')) return;
      const lines = createInterface({ input, crlfDelay: Infinity });
      try {
        for await (const line of lines) {
          const req = parseRequest(line);
          if (!req || 'end' in req) return;
          const first = outcomes.length;
          const t0 = Date.now();
          for (const check of throughput) yield { check, repetition: req.round, label: ` round ${req.round}` };
          rounds = req.round;
          const these = outcomes.slice(first);
          const figures: RoundSample = Object.fromEntries(
            these.filter((o) => o.status === 'passed' && o.measurements).map((o) => [o.name, o.measurements!]),
          );
          send({
            type: 'sample',
            round: req.round,
            figures,
            failed: these.filter((o) => o.status !== 'passed').map((o) => ({ name: o.name, summary: o.summary })),
            ms: Date.now() - t0,
          });
        }
      } finally {
        lines.close();
      }
    },
    done: (_check, outcome) => {
      outcomes.push(outcome);
    },
    summary: () => ({ count: rounds, warmup: false }),
  };
}

export function parseRequest(line: string): Request | undefined {
  try {
    const m = JSON.parse(line) as Partial<{ round: unknown; end: unknown }>;
    if (m.end === true) return { end: true };
    if (Number.isInteger(m.round) && (m.round as number) > 0) return { round: m.round as number };
  } catch {
    /* not a request */
  }
  return undefined;
}
