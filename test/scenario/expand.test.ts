import test from 'ava';
import { parse } from 'smol-toml';
import { InvalidInput, type Problem } from '../../src/errors.js';
import { expandRepeats } from '../../src/scenario/expand.js';
import type { SourceDoc } from '../../src/scenario/validate/index.js';
import { loadScenario } from '../../src/scenario/load.js';

function expand(text: string): { doc: Record<string, unknown>; problems: Problem[] } {
  const src: SourceDoc = { file: '/s/x.toml', text, doc: parse(text) as Record<string, unknown> };
  const problems: Problem[] = [];
  expandRepeats(src, problems);
  return { doc: src.doc, problems };
}

test('count repeats an item with ${i} and ${n}', (t) => {
  const { doc, problems } = expand('[[netns]]\ncount = 3\nname = "c${i}-${n}"\n');
  t.deepEqual(problems, []);
  t.deepEqual(doc.netns, [{ name: 'c0-1' }, { name: 'c1-2' }, { name: 'c2-3' }]);
});

test('a veth pool gives each pair its own subnet, end a the first host and b the second', (t) => {
  const { doc } = expand(
    '[[veth]]\ncount = 3\npool = "10.128.0.0/9"\na = { name = "v${i}" }\nb = { name = "e0", netns = "c${i}" }\n',
  );
  const veths = doc.veth as { a: { addresses: string[] }; b: { addresses: string[] } }[];
  t.deepEqual(
    veths.map((v) => [v.a.addresses[0], v.b.addresses[0]]),
    [
      ['10.128.0.1/30', '10.128.0.2/30'],
      ['10.128.0.5/30', '10.128.0.6/30'],
      ['10.128.0.9/30', '10.128.0.10/30'],
    ],
  );
});

test('IPv6 pools', (t) => {
  const { doc } = expand(
    '[[veth]]\ncount = 2\npool = "fd00:1::/64"\npool_prefix = 126\na = { name = "v${i}" }\nb = { name = "e0" }\n',
  );
  const veths = doc.veth as { a: { addresses: string[] } }[];
  t.deepEqual(
    veths.map((v) => v.a.addresses[0]),
    ['fd00:1:0:0:0:0:0:1/126', 'fd00:1:0:0:0:0:0:5/126'],
  );
});

test('a pool that overflows, overlapping pools and bad counts are reported with their keys', (t) => {
  t.regex(
    expand('[[veth]]\ncount = 5\npool = "10.0.0.0/29"\na = { name = "a${i}" }\nb = { name = "b${i}" }\n').problems[0]!
      .message,
    /has 2 subnets of \/30, but count is 5/,
  );
  const overlap = expand(
    '[[veth]]\npool = "10.0.0.0/16"\na = { name = "a" }\nb = { name = "b" }\n[[veth]]\npool = "10.0.128.0/17"\na = { name = "c" }\nb = { name = "d" }\n',
  ).problems;
  t.is(overlap[0]!.key, 'veth[1].pool');
  t.regex(overlap[0]!.message, /overlaps the pool of veth\[0\]/);
  t.is(expand('[[netns]]\ncount = 0\nname = "x"\n').problems[0]!.key, 'netns[0].count');
  t.is(expand('[[netns]]\ncount = 100000\nname = "x${i}"\n').problems[0]!.key, 'netns[0].count');
  t.regex(
    expand('[[veth]]\npool = "10.0.0.1/24"\na = { name = "a" }\nb = { name = "b" }\n').problems[0]!.message,
    /host bits set/,
  );
});

test('the many-clients scenario expands and validates every derived name and address', (t) => {
  const s = loadScenario('many-clients', { set: { clients: '1000' } });
  t.is(s.namespaces.length, 1000);
  t.is(s.veths[999]!.b.netns, 'client999');
  t.deepEqual(s.veths[999]!.a.addresses[0], { address: '10.128.15.157', prefix: 30, family: 4 });
});

test('a count beyond the limit is reported with the file and key', (t) => {
  const err = t.throws(() => loadScenario('many-clients', { set: { clients: '5000' } }));
  t.true(err instanceof InvalidInput);
  t.is((err as InvalidInput).problems[0]!.key, 'netns[0].count');
});
