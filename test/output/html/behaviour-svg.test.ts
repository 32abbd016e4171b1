import test from 'ava';
import type { CheckOutcome } from '../../../src/checks/outcome.js';
import { holdTimeline, spreadBars } from '../../../src/output/html/behaviour-svg.js';

const outcome = (kind: CheckOutcome['kind'], evidence: Record<string, unknown>): CheckOutcome => ({
  name: `${kind}<1>`,
  kind,
  status: 'passed',
  summary: '',
  durationMs: 8000,
  evidence,
});

test('a spread is a bar per backend with its expected share marked; names are escaped', (t) => {
  const svg = spreadBars(
    outcome('spread', {
      spread: {
        counts: { b1: 150, '<b2>': 0, b3: 150 },
        expectedShares: { b1: 0.5, '<b2>': 0, b3: 0.5 },
        chiSquare: { p: 1 },
        moved: { share: 0.67, against: 'before' },
      },
    }),
  );
  t.is(svg.match(/<rect /g)?.length, 3);
  t.is(svg.match(/class="expected"/g)?.length, 3);
  t.regex(svg, /b1: 150 \(50\.0%\)/);
  t.regex(svg, /moved 67% since before/);
  t.true(svg.includes('&lt;b2&gt;') && !svg.includes('<b2>'));
  t.is(spreadBars(outcome('spread', {})), '');
});

test('a hold is a line per connection, a cross where one broke, a line per applied event', (t) => {
  const svg = holdTimeline(
    outcome('hold', {
      connections: [
        { port: 1, backend: 'b1', tokens: 80, longestGapMs: 110 },
        { port: 2, backend: 'b2', tokens: 30, longestGapMs: 2000, broken: 'reset', brokeAtMs: 3100 },
      ],
      events: [
        { action: 'remove-backend', backend: '1_1', appliedAtMs: 3000, applied: true, result: 'ok' },
        { action: 'reload', applied: false, result: 'not applied: the check ended first' },
      ],
    }),
  );
  t.is(svg.match(/class="broken"/g)?.length, 1);
  t.is(svg.match(/class="event"/g)?.length, 1, 'only the applied event is drawn');
  t.regex(svg, /port 2, b2: 30 tokens, longest gap 2000 ms, broken: reset/);
  t.regex(svg, /remove-backend 1_1 at 3000 ms: ok/);
});
