import test from 'ava';
import { abJunitXml, abMarkdown } from '../../src/output/ab-reports.js';
import { abJson } from '../../src/output/ab-summary.js';
import { intervalChart } from '../../src/output/ab-html.js';
import type { AbRecord } from '../../src/session/ab/record.js';
import type { AbVerdict } from '../../src/session/ab/rounds.js';

const verdict = (measure: string, v: AbVerdict['verdict'], ratio: number): AbVerdict => ({
  check: 'iperf3',
  measure,
  ratio,
  low: ratio * 0.9,
  high: ratio * 1.1,
  verdict: v,
  samples: 5,
  direction: measure === 'bits_per_second' ? 'higher' : 'lower',
  reason: `${v} <because>`,
});
const side = (spec: string, tag: string) => ({
  spec,
  driver: 'embedded',
  version: `zonlab-xdp (${spec})`,
  runId: 'x',
  status: 'passed',
  programs: [{ name: 'zonlb_xdp', tag }],
});
const record = (verdicts: AbVerdict[], o: Partial<AbRecord> = {}): AbRecord => ({
  schema: 1,
  kind: 'ab',
  id: 'abcd',
  time: '2026-12-02T12:00:00.000Z',
  durationMs: 40_000,
  scenario: { name: 'lb-bench', hash: 'h', params: {} },
  machine: 'runner-1',
  host: { kernel: 'k', cpuModel: 'c', cpus: 2, arch: 'x64' },
  a: side('embedded', 'aaaa'),
  b: side('embedded:head.o', 'bbbb'),
  plan: { repeat: 5, max: 5, looks: [5], maxDrop: 0.1 },
  rounds: 5,
  stoppedBy: 'fixed',
  samples: { a: [], b: [] },
  verdicts,
  worst: undefined,
  status: 'passed',
  exitCode: 0,
  ...o,
});

test('JUnit: a case per check × measurement; regressed a failure, inconclusive skipped with the reason, both sides named; text escaped', (t) => {
  const xml = abJunitXml([
    record([verdict('bits_per_second', 'inconclusive', 0.97), verdict('lb_ns_per_packet', 'regressed', 2.5)]),
  ]);
  t.regex(xml, /<testsuite name="A\/B lb-bench" tests="2" failures="1" errors="0" skipped="1"/);
  t.regex(xml, /name="iperf3 LB cost B\/A"><failure message="regressed: regressed &lt;because&gt;">/);
  t.regex(xml, /name="iperf3 throughput B\/A"><skipped message="inconclusive: /);
  t.regex(xml, /B: embedded:head\.o — embedded zonlab-xdp \(embedded:head\.o\) · zonlb_xdp tag bbbb/);
});

test('JUnit: a side that failed is an error; a skipped A/B a skipped case', (t) => {
  t.regex(
    abJunitXml([record([], { status: 'failed', error: 'A: ping: no reply' })]),
    /<error message="failed: A: ping: no reply">/,
  );
  t.regex(abJunitXml([record([], { status: 'skipped', error: 'needs root' })]), /<skipped message="needs root"\/>/);
});

test('Markdown: the overall verdict line above the table, a row per check × measurement, who A and B were', (t) => {
  const md = abMarkdown([
    record([verdict('bits_per_second', 'unchanged', 1.01), verdict('lb_ns_per_packet', 'regressed', 2.5)]),
  ]);
  t.regex(md, /Overall: 🔻 \*\*B regressed\*\*/);
  t.regex(
    md,
    /\| lb-bench \| iperf3 \| LB cost \| \+150\.0% \| \+125\.0% … \+175\.0% \| 🔻 regressed \| 5 \| fixed \|/,
  );
  t.regex(md, /- A: embedded — /);
  t.regex(abMarkdown([record([verdict('bits_per_second', 'inconclusive', 1)])]), /Overall: ❔ \*\*inconclusive\*\*/);
  t.regex(abMarkdown([record([verdict('bits_per_second', 'unchanged', 1)])]), /Overall: ✅ \*\*no regression\*\*/);
});

test('--json: worst, verdicts with check, measure, ratio, low, high, verdict and samples, both identities', (t) => {
  const doc = abJson(record([verdict('bits_per_second', 'unchanged', 1)], { worst: 'unchanged' }), '/r/ab.json');
  t.is(doc.worst, 'unchanged');
  t.like(doc.verdicts[0], {
    check: 'iperf3',
    measure: 'bits_per_second',
    ratio: 1,
    low: 0.9,
    high: 1.1,
    verdict: 'unchanged',
    samples: 5,
  });
  t.is(doc.a.programs[0]!.tag, 'aaaa');
  t.is(doc.b.spec, 'embedded:head.o');
});

test('the report draws each ratio with its interval and the threshold', (t) => {
  const svg = intervalChart(record([verdict('lb_ns_per_packet', 'regressed', 2.5)]));
  t.regex(svg, /<svg/);
  t.regex(svg, /stroke-dasharray/);
  t.regex(svg, /<circle/);
  t.regex(svg, /\+150\.0% regressed/);
});
