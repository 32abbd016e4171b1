// The behaviour checks and [[event]] as a scenario declares them: what validation accepts, and
// each mistake reported with its key and a hint.
import { readFileSync } from 'node:fs';
import test from 'ava';
import { parse, stringify } from 'smol-toml';
import { InvalidInput } from '../../src/errors.js';
import { earlierSpread } from '../../src/checks/spread.js';
import { latencyMeasurements } from '../../src/checks/latency.js';
import type { CheckOutcome } from '../../src/checks/outcome.js';
import type { SpreadCheck } from '../../src/scenario/types.js';
import { validateScenario } from '../../src/scenario/validate/index.js';

const FIXTURES = new URL('../../../test/fixtures/hostile/', import.meta.url);
const ZONLB = `${readFileSync(new URL('ok.zonlb.toml', FIXTURES), 'utf8')}
[backend.1_1]
ip = "127.0.0.23"
proto = 6
port = 224
options = ["redirect"]
`;
const BASE = `${readFileSync(new URL('base.toml', FIXTURES), 'utf8')}
[[server]]
name = "other"
address = "127.0.0.23"
port = 224
`;

const validate = (text: string) =>
  validateScenario({
    scenario: { file: '/s/t.toml', text, doc: parse(text) as Record<string, unknown> },
    params: {},
    hash: 'h',
    readFile: () => ZONLB,
    xdpProgramExists: (n) => n === 'xdp_pass',
  });

function withTables(checks: Record<string, unknown>[], events: Record<string, unknown>[] = []): string {
  return `${BASE}\n${stringify({ check: checks.map((c) => ({ from: 'zone1', to: '10.0.0.1', port: 23, ...c })), ...(events.length ? { event: events } : {}) })}`;
}

function problems(text: string): string[] {
  try {
    validate(text);
  } catch (e) {
    if (e instanceof InvalidInput) return e.problems.map((p) => `${p.key}: ${p.message}`);
    throw e;
  }
  throw new Error('expected InvalidInput');
}

test('spread, hold, rr and crr with their defaults, and events in the scenario', (t) => {
  const s = validate(
    withTables(
      [
        { name: 'spread', kind: 'spread', servers: ['backend', 'other'], source_port: 20000 },
        { name: 'hold', kind: 'hold', servers: ['backend', 'other'], duration: 8, interval: 0.05 },
        { name: 'rr', kind: 'rr', server: 'backend' },
        { name: 'crr', kind: 'crr', servers: ['backend'], count: 50, size: 100 },
      ],
      [
        { during: 'hold', at: 3, action: 'remove-backend', backend: '1_1' },
        { during: 'hold', at: 5.5, action: 'reload' },
      ],
    ),
  );
  const [spread, hold, rr, crr] = s.checks.slice(1);
  t.like(spread, { kind: 'spread', proto: 'tcp', connections: 300, sourcePort: 20000, minP: 0.001, concurrency: 16 });
  t.deepEqual(
    (spread as SpreadCheck).servers.map((x) => x.name),
    ['backend', 'other'],
  );
  t.like(hold, { kind: 'hold', connections: 10, intervalMs: 50, durationMs: 8000, maxBroken: 0 });
  t.like(rr, { kind: 'rr', count: 1000, size: 1 });
  t.like(crr, { kind: 'crr', count: 50, size: 100 });
  t.deepEqual(s.events, [
    { during: 'hold', at: 3, action: 'remove-backend', backend: '1_1' },
    { during: 'hold', at: 5.5, action: 'reload' },
  ]);
});

test('mistakes in behaviour checks are reported with the key and what is wrong', (t) => {
  t.deepEqual(
    problems(
      withTables([
        { name: 's1', kind: 'spread', servers: ['backend', 'nope'] },
        { name: 's2', kind: 'spread', server: 'backend', servers: ['backend'] },
        { name: 's3', kind: 'spread', servers: ['backend'], expect_backends: ['other'], min_p: 2, proto: 'sctp' },
        { name: 's4', kind: 'spread', servers: ['backend'], source_port: 65000, connections: 1000 },
        { name: 'h1', kind: 'hold', server: 'backend', duration: 0, churn: 40000 },
      ]),
    ),
    [
      'check[1].servers: no server named "nope"',
      'check[2].server: give server or servers, not both',
      'check[3].proto: "sctp" is not tcp or udp',
      'check[3].min_p: 2 is out of range',
      'check[3].expect_backends: "other" is not one of this check\'s servers',
      'check[4].source_port: 65000 + 1000 connections passes port 65535',
      'check[5].duration: 0 is out of range',
      'check[5].churn: 40000 flows need 2 source addresses',
    ],
  );
});

test('mistakes in events: an unknown check, action or backend, a time outside the hold, a backend where none is taken', (t) => {
  const checks = [{ name: 'hold', kind: 'hold', server: 'backend', duration: 4 }];
  t.deepEqual(
    problems(
      withTables(checks, [
        { during: 'nope', at: 1, action: 'reload' },
        { during: 'hold', at: 1, action: 'explode' },
        { during: 'hold', at: 1, action: 'remove-backend', backend: '9_9' },
        { during: 'hold', at: 1, action: 'remove-backend' },
        { during: 'hold', at: 4, action: 'reload', backend: '1_1' },
        { during: 'hold', action: 'reload' },
      ]),
    ),
    [
      'event[0].during: no check named "nope"',
      'event[1].action: "explode" is not an event action',
      'event[2].backend: no backend "9_9" in the zonlb.toml',
      'event[3].backend: is required for remove-backend',
      'event[4].backend: reload takes no backend',
      'event[4].at: 4 s is not inside check hold (it lasts 4 s)',
      'event[5].at: is required',
    ],
  );
});

test('a spread compares with the last earlier spread of the same client, service and protocol, from fixed ports', (t) => {
  const spec = {
    kind: 'spread',
    from: 'zone0',
    to: '10.0.0.1',
    port: 80,
    proto: 'tcp',
    sourcePort: 20000,
  } as SpreadCheck;
  const outcome = (name: string, evidence: Record<string, unknown>): CheckOutcome => ({
    name,
    kind: 'spread',
    status: 'passed',
    summary: '',
    durationMs: 0,
    evidence: {
      to: '10.0.0.1',
      port: 80,
      from: 'zone0',
      proto: 'tcp',
      sourcePort: 20000,
      spread: { flows: [] },
      ...evidence,
    },
  });
  const earlier = [
    outcome('first', {}),
    outcome('udp', { proto: 'udp' }),
    outcome('ephemeral', { sourcePort: undefined }),
    outcome('elsewhere', { port: 81 }),
  ];
  t.is(earlierSpread(spec, earlier)?.name, 'first');
  t.is(earlierSpread({ ...spec, sourcePort: undefined }, earlier), undefined);
  t.is(earlierSpread(spec, [...earlier, outcome('second', {})])?.name, 'second');
});

test('latency measurements: p50, p90, p99 of the transactions', (t) => {
  t.deepEqual(latencyMeasurements(Array.from({ length: 1000 }, (_, i) => i + 1)), {
    latency_p50_us: 500,
    latency_p90_us: 900,
    latency_p99_us: 990,
  });
});
