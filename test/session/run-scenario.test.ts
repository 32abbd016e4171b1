import test from 'ava';
import type { CheckOutcome } from '../../src/checks/outcome.js';
import type { Scenario } from '../../src/scenario/types.js';
import { collectSamples, samplingSchedule } from '../../src/session/run-scenario.js';

/** What a run does besides the lab: the order its checks run in, and which outcomes become samples. */
const scenario = (repeat: number) =>
  ({
    repeat,
    checks: [
      { name: 'telnet', kind: 'telnet' },
      { name: 'tput', kind: 'iperf3' },
      { name: 'ping', kind: 'ping' },
    ],
  }) as unknown as Scenario;
const order = (s: Scenario, o: Parameters<typeof samplingSchedule>[1]) =>
  [
    ...(samplingSchedule(s, o).steps() as Iterable<{ check: { name: string }; repetition?: number; label: string }>),
  ].map((st) => `${st.check.name}${st.label}`);

test("each check in the scenario's order, a throughput check as often as the scenario or --repeat says", (t) => {
  t.deepEqual(order(scenario(1), {}), ['telnet', 'tput', 'ping']);
  t.deepEqual(order(scenario(3), {}), ['telnet', 'tput 1/3', 'tput 2/3', 'tput 3/3', 'ping']);
  t.deepEqual(
    order(scenario(3), { repeat: 2 }),
    ['telnet', 'tput 1/2', 'tput 2/2', 'ping'],
    '--repeat wins over the scenario',
  );
});

test('--warmup: one more throughput run first, labelled and not counted', (t) => {
  t.deepEqual(order(scenario(2), { warmup: true }), ['telnet', 'tput warm-up', 'tput 1/2', 'tput 2/2', 'ping']);
  t.like(samplingSchedule(scenario(2), { warmup: true }).summary(), { count: 2, warmup: true });
});

test('samples: every measurement of each check over the outcomes that passed, in order; none for a check without', (t) => {
  const o = (name: string, status: string, measurements?: Record<string, number>) =>
    ({ name, status, measurements }) as unknown as CheckOutcome;
  t.deepEqual(
    collectSamples([
      o('tput', 'passed', { bits_per_second: 1, retransmits: 0 }),
      o('tput', 'failed', { bits_per_second: 99 }),
      o('telnet', 'passed'),
      o('tput', 'passed', { bits_per_second: 3, retransmits: 2 }),
      o('ping', 'passed', { rtt_ms: Number.NaN }),
    ]),
    { tput: { bits_per_second: [1, 3], retransmits: [0, 2] } },
  );
});
