import test from 'ava';
import { compareRecord, recordAsReference } from '../../src/compare/compare.js';
import { printComparison } from '../../src/output/comparison.js';
import { junitXml } from '../../src/output/junit.js';
import { markdownSummary } from '../../src/output/markdown.js';
import { record } from '../helpers/record.js';
import type { RunRecord } from '../../src/results/record.js';
import { summarize } from '../../src/stats/summary.js';

const base = record('b', [20e9, 20.2e9, 19.9e9, 20.1e9, 20e9]);
const slow = record('s', [14e9, 14.1e9, 13.9e9, 14e9, 14.2e9]);
const cmp = compareRecord(slow, { label: 'baseline', fingerprint: base.fingerprint, samples: base.samples });

test('JUnit: a case per check and per verdict, regression as a failure, text escaped', (t) => {
  const xml = junitXml([{ record: slow, comparison: cmp }]);
  t.regex(xml, /^<\?xml version="1.0"/);
  t.is((xml.match(/<testcase /g) ?? []).length, 1 + 5 + 1);
  t.regex(xml, /name="throughput iperf3 vs baseline"><failure message="regressed:/);
  t.regex(xml, /failures="1"/);
  t.regex(xml, /token &lt;both&gt; ways &amp; &quot;quoted&quot;/);
  t.notRegex(xml, /<both>/);
});

test('JUnit: a failed check is a failure', (t) => {
  const xml = junitXml([{ record: record('f', [1e9], 'failed') }]);
  t.regex(xml, /name="telnet"[^>]*><failure message=/);
});

test('Markdown: one row per check with the verdict', (t) => {
  const md = markdownSummary([{ record: slow, comparison: cmp }]);
  t.regex(md, /\| veth-netns \| nft \| iperf3 \| ✅ passed \| 14\.00 Gbit\/s \| .* \| -29\.9% \| 🔻 regressed \|/);
  t.regex(md, /\| veth-netns \| nft \| telnet \| ✅ passed \| - \|/);
});

const costed = (r: RunRecord, ns: number[], version = 'v', tag = '0123456789abcdef'): RunRecord => ({
  ...r,
  driver: { name: 'nft', version },
  fingerprint: { ...r.fingerprint, driverVersion: version },
  samples: { iperf3: { ...r.samples.iperf3, lb_ns_per_packet: ns } },
  stats: { iperf3: { ...r.stats.iperf3, lb_ns_per_packet: summarize(ns) } },
  lbCost: {
    programs: [
      {
        id: 7,
        name: 'zon_lb',
        tag,
        jitedBytes: 900,
        xlatedInsns: 200,
        verifiedInsns: 300,
        interfaces: ['veth0@default'],
      },
    ],
    samples: [],
  },
});
const cheap = costed(base, [160, 165, 158, 162, 170]);
const dear = costed(base, [240, 250, 238, 245, 260], 'zon-lb 0.2 sha256:ab12', 'fedcba9876543210');
const costCmp = compareRecord(dear, recordAsReference(cheap));

test('a new build of the load balancer is compared, not refused: its identity beside the verdicts, cost judged lower-is-better', (t) => {
  t.true(costCmp.compared);
  t.deepEqual(costCmp.fingerprintDiffs, []);
  t.false(costCmp.identity.same);
  t.deepEqual(
    costCmp.rows.map((r) => `${r.measurement}:${r.comparison.verdict}`),
    ['bits_per_second:unchanged', 'lb_ns_per_packet:regressed'],
  );
  t.is(costCmp.worst, 'regressed');
  const lines: string[] = [];
  printComparison(costCmp, (s) => lines.push(s));
  const text = lines.join('');
  t.regex(text, /load balancer, baseline: nft v · zon_lb tag 0123456789abcdef, 900 B jited, 200 insns/);
  t.regex(text, /load balancer, current: {2}nft zon-lb 0\.2 sha256:ab12 · zon_lb tag fedcba9876543210/);
  t.regex(text, /iperf3 +LB cost +245 ns\/packet .* regressed/);
  t.true(compareRecord(cheap, recordAsReference(cheap)).identity.same);
});

test('JUnit and Markdown: a row and a case for the cost, the load balancer named', (t) => {
  const xml = junitXml([{ record: dear, comparison: costCmp }]);
  t.regex(xml, /name="LB cost iperf3 vs baseline"><failure message="regressed: \+/);
  t.regex(xml, /name="throughput iperf3 vs baseline"><system-out>unchanged: [^<]*<\/system-out>/);
  // the load balancers compared: once, as the suite's properties, not in every case (issue 24)
  t.regex(
    xml,
    /<properties>\n {6}<property name="compared with" value="run b"\/>\n {6}<property name="load balancer, baseline" value="nft v · zon_lb tag 0123456789abcdef[^"]*"\/>\n {6}<property name="load balancer, current" value="nft zon-lb 0\.2 sha256:ab12[^"]*"\/>\n {4}<\/properties>/,
  );
  t.is((xml.match(/load balancer, current/g) ?? []).length, 1);
  const md = markdownSummary([{ record: dear, comparison: costCmp }]);
  // the cost row has its check's status (issue 24: it was empty)
  t.regex(
    md,
    /\| veth-netns \| nft \| iperf3 · LB cost \| ✅ passed \| 245 ns\/packet \| .* \| \+\d+\.\d% \| 🔻 regressed \|/,
  );
  t.regex(md, /- veth-netns \(nft\) vs run b: load balancer, baseline: nft v · zon_lb tag 0123456789abcdef/);
});

test('JUnit: an inconclusive verdict is a skipped case with its reason, never an ordinary pass (issue 24)', (t) => {
  const few = record('few', [14e9, 14.1e9]);
  const c = compareRecord(few, {
    label: 'baseline (run b, 2026-11-20)',
    fingerprint: base.fingerprint,
    samples: base.samples,
  });
  t.is(c.rows[0]!.comparison.verdict, 'inconclusive');
  const xml = junitXml([{ record: few, comparison: c }]);
  t.regex(xml, /name="throughput iperf3 vs baseline"><skipped message="inconclusive: [^"]+"\/><\/testcase>/);
  t.regex(xml, /skipped="1"/);
});

test('Markdown: the overall verdict first, and the baseline each run is compared with, by run id and date (issue 24)', (t) => {
  const b = compareRecord(slow, {
    label: 'baseline (run b, 2026-11-20)',
    fingerprint: base.fingerprint,
    samples: base.samples,
  });
  const md = markdownSummary([
    { record: slow, comparison: b },
    { record: record('n', [1e9]), baseline: 'missing' },
  ]);
  t.is(md.split('\n')[2], '**Overall: 🔻 regressed** (2 runs, 1 regressed, 1 without a baseline)');
  t.regex(md, /- veth-netns \(nft\) vs baseline \(run b, 2026-11-20\): load balancer/);
  t.regex(
    markdownSummary([{ record: record('f', [1e9], 'failed') }]),
    /\*\*Overall: ❌ failed\*\* \(1 run, 1 failed\)/,
  );
  t.regex(markdownSummary([{ record: base }]), /\*\*Overall: ✅ passed\*\* \(1 run\)/);
});
