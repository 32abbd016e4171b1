import test from 'ava';
import { main } from '../../../src/cli.js';
import {
  childArgs,
  childReason,
  prefixedLines,
  shardOf,
  summaryRow,
  type RunAllArgs,
} from '../../../src/commands/actions/run-all.js';
import { junitXml } from '../../../src/output/junit.js';
import { record } from '../../helpers/record.js';
import { shard } from '../../../src/commands/options.js';
import { UserError } from '../../../src/errors.js';

/** The options `zonlab ARGS` hands to `run --all`, parsed and checked by the real command line. */
async function parsed(args: string): Promise<RunAllArgs> {
  let seen: RunAllArgs | undefined;
  await main(args.split(' '), (command, a) => {
    seen = a as RunAllArgs;
    return 0;
  });
  if (!seen) throw new Error(`zonlab ${args} reached no command`);
  return seen;
}

const veth = { name: 'veth-netns', file: '/s/veth-netns.toml', params: { duration: 10 } };
const after = (argv: string[], flag: string) => argv[argv.indexOf(flag) + 1];

// The words after `run` and after `--json` were dropped by the old filter over process.argv:
// `run --all --json --baseline` compared nothing, `run --repeat 3 --all` handed each scenario a stray 3.
for (const args of ['run --all --json --baseline', 'run --json --baseline --all', 'run --baseline --all --json']) {
  test(`zonlab ${args}: every scenario's run compares with its baseline`, async (t) => {
    const argv = childArgs(await parsed(args), veth, '/r');
    t.deepEqual(argv.slice(0, 3), ['run', '/s/veth-netns.toml', '--json']);
    t.true(argv.includes('--baseline'), argv.join(' '));
    t.is(argv.filter((x) => x === '--json').length, 1);
  });
}

for (const args of ['run --repeat 3 --all', 'run --all --repeat 3', 'run --repeat=3 --all --warmup']) {
  test(`zonlab ${args}: --repeat 3 reaches every scenario, no stray word`, async (t) => {
    const argv = childArgs(await parsed(args), veth, '/r');
    t.is(after(argv, '--repeat'), '3');
    t.deepEqual(
      argv.filter((x) => x === '3'),
      ['3'],
      argv.join(' '),
    );
    t.false(argv.includes('--all'));
  });
}

test('the verdict options, the driver and the results folder pass on; reports, --shard and --all do not', async (t) => {
  const a = await parsed(
    'run --all --shard 1/2 --lb nft --host --max-drop 0.05 --force --warmup --junit j.xml --markdown m.md --verbose',
  );
  const argv = childArgs(a, veth, '/r');
  t.is(after(argv, '--lb'), 'nft');
  t.is(after(argv, '--max-drop'), '0.05');
  t.is(after(argv, '--results'), '/r');
  for (const f of ['--host', '--force', '--warmup', '--verbose']) t.true(argv.includes(f), f);
  for (const f of ['--junit', '--markdown', '--shard', '--all', 'j.xml', 'm.md']) t.false(argv.includes(f), f);
});

test('--set goes to the scenarios that declare the parameter', async (t) => {
  const a = await parsed('run --all --set duration=2 --set clients=5');
  t.deepEqual(
    childArgs(a, veth).filter((_, i, all) => all[i - 1] === '--set'),
    ['duration=2'],
  );
  t.deepEqual(
    childArgs(a, { ...veth, params: { clients: 1, duration: 1 } }).filter((_, i, all) => all[i - 1] === '--set'),
    ['duration=2', 'clients=5'],
  );
  t.false(childArgs(a, { ...veth, params: {} }).includes('--set'));
});

test("a skipped scenario's reason comes from its stderr, one reason or several", (t) => {
  const cases: [stderr: string, reason: string | undefined][] = [
    [
      '=== x\n[1/3] step\nzonlab: skipped: the kernel lacks 802.1Q VLAN devices (probe failed)\n',
      'the kernel lacks 802.1Q VLAN devices (probe failed)',
    ],
    [
      'zonlab: skipped: 2 requirements are missing\n  needs root\n  iperf3 is not installed\n',
      'needs root; iperf3 is not installed',
    ],
    ['zonlab: invalid input\n  /s/x.toml: check: no [[check]]\n', 'invalid input /s/x.toml: check: no [[check]]'],
    ['no zonlab line at all\n', undefined],
  ];
  for (const [stderr, reason] of cases) t.is(childReason(stderr), reason, stderr);
});

test('JUnit: a skipped scenario is a <skipped> case with its reason; one without a record is an <error>; a missing baseline is a skipped verdict', (t) => {
  const xml = junitXml(
    [{ record: record('r', [1e9]), baseline: 'missing' }],
    [
      { scenario: 'vlan-netns-bridge', outcome: 'skipped', reason: 'the kernel lacks 802.1Q VLAN devices' },
      { scenario: 'broken', outcome: 'error', reason: 'invalid input <x>' },
    ],
  );
  t.regex(
    xml,
    /<testsuite name="vlan-netns-bridge" tests="1" failures="0" errors="0" skipped="1">\n {4}<testcase classname="zonlab.vlan-netns-bridge" name="vlan-netns-bridge"><skipped message="the kernel lacks 802.1Q VLAN devices"\/><\/testcase>/,
  );
  t.regex(xml, /<testcase classname="zonlab.broken" name="broken"><error message="invalid input &lt;x&gt;">/);
  t.regex(xml, /name="throughput vs baseline"><skipped message="no baseline yet/);
  t.regex(xml, /<testsuite name="veth-netns \(nft\)" tests="3" failures="0" errors="0" skipped="1"/);
});

test('shards are stable, disjoint and cover every scenario', (t) => {
  const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
  const parts = [1, 2, 3].map((i) => shardOf(names, shard(`${i}/3`)));
  t.deepEqual(parts, [
    ['a', 'd', 'g'],
    ['b', 'e'],
    ['c', 'f'],
  ]);
  t.deepEqual(parts.flat().sort(), names);
  // a bad --shard is the user's error (exit 2), found when the options are read
  for (const bad of ['4/3', '3/2', '0/1', 'x', '1/0', ''])
    t.throws(() => shard(bad), { instanceOf: UserError, message: /--shard/ });
});

test("the summary of run --all: each child's exit code and output make its row; a scenario without a record says why in the reports", (t) => {
  const reported: Parameters<typeof summaryRow>[4] = [];
  const notRun: Parameters<typeof summaryRow>[5] = [];
  const doc = (status: string, bps?: number) =>
    JSON.stringify({
      checks: [
        { name: 'iperf3', status, measurements: bps ? { bits_per_second: bps } : {} },
        { name: 'telnet', status: 'passed' },
      ],
    });
  t.like(summaryRow('a', 0, doc('passed', 9.4e9), '', reported, notRun), {
    outcome: 'PASS',
    exitCode: 0,
    detail: 'iperf3 9.40 Gbit/s, telnet ok',
  });
  t.like(summaryRow('b', 1, doc('failed'), '', reported, notRun), {
    outcome: 'FAIL',
    detail: 'iperf3 FAIL, telnet ok',
  });
  t.like(
    summaryRow('c', 4, '', 'zonlab: skipped: the kernel lacks 802.1Q VLAN devices (probe failed)\n', reported, notRun),
    { outcome: 'SKIP', detail: 'the kernel lacks 802.1Q VLAN devices (probe failed)' },
  );
  t.like(summaryRow('d', 70, 'not json', 'zonlab: internal error\n  at x\n', reported, notRun), {
    outcome: 'ERROR',
    exitCode: 70,
  });
  t.like(summaryRow('e', 143, '', '', reported, notRun), { outcome: 'INTERRUPTED', detail: 'exit 143, no result' });
  t.like(
    summaryRow(
      'f',
      3,
      JSON.stringify({ checks: [], comparison: { compared: true, worst: 'regressed' } }),
      '',
      reported,
      notRun,
    ),
    { outcome: 'REGRESSED', detail: 'vs baseline: regressed' },
  );
  t.like(summaryRow('g', 0, JSON.stringify({ checks: [], baseline: 'missing' }), '', reported, notRun), {
    detail: 'no baseline yet',
  });
  t.deepEqual(reported, [], 'no child named a record file');
  // an interrupted scenario is neither skipped nor an error: the run stopped there
  t.deepEqual(
    notRun.map((n) => [n.scenario, n.outcome]),
    [
      ['c', 'skipped'],
      ['d', 'error'],
    ],
  );
});

test("a child's stderr: whole lines, each prefixed with its scenario, however the chunks fall (issue 24)", (t) => {
  let out = '';
  const lines = prefixedLines('veth-netns: ', (x) => {
    out += x;
  });
  lines.push('[1/12] crea');
  lines.push('te namespace zone1\n[6/12] bring');
  lines.push(' lo up\n');
  lines.push('zonlab: skipped: no');
  lines.end();
  t.is(
    out,
    'veth-netns: [1/12] create namespace zone1\nveth-netns: [6/12] bring lo up\nveth-netns: zonlab: skipped: no\n',
  );
});
