import test from 'ava';
import { table, wrapWords } from '../../src/output/table.js';

test('a table without a width: one line a row, columns aligned', (t) => {
  t.is(
    table(
      ['a', 'bb'],
      [
        ['x', 'long text'],
        ['yyy', 'z'],
      ],
    ),
    'a    bb\n---  ---------\nx    long text\nyyy  z',
  );
});

test('a table with a width: the last column wraps between words, the rule is no wider (issue 24: a 641-character SKIP reason)', (t) => {
  const reason = `the embedded driver cannot ${'reach backend 1_0 from the load balancer namespace '.repeat(12)}end`;
  const out = table(
    ['scenario', 'outcome', 'detail'],
    [
      ['vlan-netns-bridge', 'SKIP', reason],
      ['veth-netns', 'PASS', 'iperf3 2.1 Gbit/s'],
    ],
    { width: 100 },
  );
  const lines = out.split('\n');
  for (const l of lines) t.true(l.length <= 100, `${l.length}: ${l}`);
  t.is(lines[1]!.length, 100, 'the rule spans the width');
  // continuation lines are indented under the column; every word is whole
  t.true(lines.slice(3, -1).every((l) => l.startsWith(' '.repeat('vlan-netns-bridge  SKIP     '.length))));
  t.deepEqual(
    lines
      .slice(2, -1)
      .map((l) => l.slice(28))
      .join(' ')
      .split(' '),
    reason.split(' '),
  );
  t.is(lines[lines.length - 1], 'veth-netns         PASS     iperf3 2.1 Gbit/s');
  // a table that fits is as it was
  t.is(table(['a', 'b'], [['x', 'y']], { width: 100 }), table(['a', 'b'], [['x', 'y']]));
});

test('wrapWords: between words; a word longer than the width is cut', (t) => {
  t.deepEqual(wrapWords('aa bb cc', 5), ['aa bb', 'cc']);
  t.deepEqual(wrapWords('abcdefgh ij', 3), ['abc', 'def', 'gh', 'ij']);
  t.deepEqual(wrapWords('', 5), ['']);
});
