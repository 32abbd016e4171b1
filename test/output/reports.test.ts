import test from 'ava';
import { compareRecord } from '../../src/compare/compare.js';
import { junitXml } from '../../src/output/junit.js';
import { markdownSummary } from '../../src/output/markdown.js';
import { record } from '../helpers/record.js';

const base = record('b', [20e9, 20.2e9, 19.9e9, 20.1e9, 20e9]);
const slow = record('s', [14e9, 14.1e9, 13.9e9, 14e9, 14.2e9]);
const cmp = compareRecord(slow, { label: 'baseline', fingerprint: base.fingerprint, samples: base.samples });

test('compareRecord finds the regression and its worst verdict', (t) => {
  t.true(cmp.compared);
  t.is(cmp.worst, 'regressed');
  t.is(cmp.rows[0]!.check, 'iperf3');
});

test('different fingerprints are not compared without --force', (t) => {
  const other = { ...slow, fingerprint: { ...slow.fingerprint, kernel: 'k2' } };
  const c = compareRecord(other, { label: 'b', fingerprint: base.fingerprint, samples: base.samples });
  t.false(c.compared);
  t.deepEqual(c.fingerprintDiffs.map((d) => d.key), ['kernel']);
  t.true(compareRecord(other, { label: 'b', fingerprint: base.fingerprint, samples: base.samples }, { force: true }).compared);
});

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
  t.regex(md, /\| veth-netns \| nft \| iperf3 \| ✅ passed \| 14\.00 Gbit\/s \| .* \| -30\.0% \| 🔻 regressed \|/);
  t.regex(md, /\| veth-netns \| nft \| telnet \| ✅ passed \| - \|/);
});

import { shardOf } from '../../src/commands/run-all.js';
import { shard } from '../../src/commands/options.js';
import { UserError } from '../../src/errors.js';

test('shards are stable, disjoint and cover every scenario', (t) => {
  const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
  const parts = [1, 2, 3].map((i) => shardOf(names, shard(`${i}/3`)));
  t.deepEqual(parts, [['a', 'd', 'g'], ['b', 'e'], ['c', 'f']]);
  t.deepEqual(parts.flat().sort(), names);
  // a bad --shard is the user's error (exit 2), found when the options are read
  for (const bad of ['4/3', '3/2', '0/1', 'x', '1/0', '']) t.throws(() => shard(bad), { instanceOf: UserError, message: /--shard/ });
});
