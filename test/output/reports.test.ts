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
  lbCost: { programs: [{ id: 7, name: 'zon_lb', tag, jitedBytes: 900, xlatedInsns: 200, verifiedInsns: 300, interfaces: ['veth0@default'] }], samples: [] },
});
const cheap = costed(base, [160, 165, 158, 162, 170]);
const dear = costed(base, [240, 250, 238, 245, 260], 'zon-lb 0.2 sha256:ab12', 'fedcba9876543210');
const costCmp = compareRecord(dear, recordAsReference(cheap));

test("a new build of the load balancer is compared, not refused: its identity beside the verdicts, cost judged lower-is-better", (t) => {
  t.true(costCmp.compared);
  t.deepEqual(costCmp.fingerprintDiffs, []);
  t.false(costCmp.identity.same);
  t.deepEqual(costCmp.rows.map((r) => `${r.measurement}:${r.comparison.verdict}`), ['bits_per_second:unchanged', 'lb_ns_per_packet:regressed']);
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
  t.regex(xml, /name="throughput iperf3 vs baseline"><system-out>unchanged: [^<]*load balancer, current: {2}nft zon-lb 0\.2/);
  const md = markdownSummary([{ record: dear, comparison: costCmp }]);
  t.regex(md, /\| veth-netns \| nft \| iperf3 · LB cost \| {2}\| 245 ns\/packet \| .* \| \+\d+\.\d% \| 🔻 regressed \|/);
  t.regex(md, /- veth-netns \(nft\): load balancer, baseline: nft v · zon_lb tag 0123456789abcdef/);
});
