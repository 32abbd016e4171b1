import test from 'ava';
import { execa } from 'execa';
import fc from 'fast-check';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main, report, type CommandStub } from '../../src/cli.js';
import { UserError } from '../../src/errors.js';

/**
 * Issue 13: every command-line option is checked before anything runs; bad input is exit 2 with
 * a hint, never a stack trace and exit 70. Commands that build labs or write files are replaced
 * by a stub that sees the checked options (a fuzzed "/" must never become a report folder); the
 * ones that only read (validate, plan, list, results, compare, graph) run for real.
 */
const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const READERS = ['validate', 'plan', 'list', 'results', 'compare', 'graph'];
const writesFiles = (a: Record<string, unknown>) =>
  a.junit !== undefined || a.markdown !== undefined || a.svg !== undefined || a.scenario === 'merge';

const scratch = mkdtempSync(path.join(tmpdir(), 'zonlab-options-'));
const home = process.cwd();
const fifo = path.join(scratch, 'fifo.toml');
const emptyScenario = path.join(scratch, 'empty.toml');
writeFileSync(emptyScenario, '');
execFileSync('mkfifo', [fifo]);
mkdirSync(path.join(scratch, 'out'));
test.before(() => process.chdir(scratch));
test.after.always(() => {
  process.chdir(home);
  rmSync(scratch, { recursive: true, force: true });
});

interface Outcome {
  code: number;
  stderr: string;
  stubbed?: { command: string; args: Record<string, unknown> };
  error?: unknown;
}

/** zonlab ARGS in this process: its exit code, what it printed on stderr, and what a stubbed command received. */
async function zonlab(argv: string[]): Promise<Outcome> {
  const out: Outcome = { code: -1, stderr: '' };
  const stub: CommandStub = (command, args) => {
    out.stubbed = { command, args: args as Record<string, unknown> };
    return 0;
  };
  const writes = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = (() => true) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => {
    out.stderr += s;
    return true;
  }) as typeof process.stderr.write;
  try {
    out.code = await main(argv, (command, args) =>
      READERS.includes(command) && !writesFiles(args as Record<string, unknown>) ? undefined : stub(command, args),
    );
  } catch (err) {
    out.error = err;
    out.code = report(err);
  } finally {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
  }
  return out;
}

const refused: [string, RegExp][] = [
  ['run veth-netns --repeat 0', /--repeat 0: give a whole number from 1 to 1000/],
  ['run veth-netns --repeat abc', /--repeat abc: give a whole number from 1 to 1000, or auto/],
  ['run veth-netns --repeat 2.5', /--repeat 2.5/],
  ['run veth-netns --repeat 3 --repeat 4', /--repeat 3 4: given 2 times/],
  ['run --all --shard 3/2', /--shard 3\/2: give i\/n with 1 ≤ i ≤ n/],
  ['run --all --shard x', /--shard x/],
  ['run veth-netns --shard 1/2', /--shard goes with --all/],
  ['run veth-netns --junit /proc/foo', /--junit \/proc\/foo: nothing can be written in \/proc/],
  ['run veth-netns --markdown /proc/foo/bar.md', /--markdown \/proc\/foo\/bar\.md: nothing can be written in \/proc/],
  [`run veth-netns --junit ${scratch}`, /is a directory/],
  ['run veth-netns --junit', /--junit "": give a file name/],
  ['run veth-netns --max-drop 0', /--max-drop 0: give a fraction between 0 and 1/],
  ['run veth-netns --max-drop 1.5', /--max-drop 1\.5/],
  ['run veth-netns --max-drop abc', /--max-drop NaN/],
  ['run veth-netns --set foo', /--set foo: expected NAME=VALUE/],
  ['run veth-netns --set =1', /--set =1: expected NAME=VALUE/],
  ['run veth-netns --lb bogus', /Argument: lb, Given: "bogus"/],
  ['run veth-netns --zonlb', /--zonlb "": give the path of a zon-lb binary/],
  ['run veth-netns --results /proc/x', /nothing can be written in \/proc/],
  ['run veth-netns --scenarios /nonexistent', /--scenarios \/nonexistent: is not a folder/],
  ['run', /name a scenario, or give --all/],
  ['run veth-netns --all', /give a scenario or --all, not both/],
  ['run --all --keep', /--keep holds one lab/],
  ['results merge a', /results merge needs --into DIR/],
  ['results veth-netns extra', /folders and --into go with results merge/],
  ['results merge a --into /proc/x', /--into \/proc\/x: nothing can be written/],
  ['report --out /proc/x', /--out \/proc\/x: nothing can be written/],
  ['graph veth-netns --svg /proc/x.svg', /--svg \/proc\/x\.svg/],
  ['audit save /proc/x', /FILE \/proc\/x: nothing can be written/],
  ['baseline save', /name a scenario, or give --all/],
  ['init /proc/x', /DIR \/proc\/x: nothing can be written/],
  ['init --name a/b', /--name a\/b: not a scenario name/],
  ['validate /dev/zero', /\/dev\/zero: not a regular file \(a character device\)/],
  [`validate ${fifo}`, /fifo\.toml: not a regular file \(a FIFO\)/],
  [`validate ${scratch}/`, /not a regular file \(a directory\)/],
  [`validate ${emptyScenario}`, /check: no \[\[check\]\]: a run of this scenario would check nothing/],
  ['validate no-such-scenario', /no scenario named "no-such-scenario"/],
  ['compare --against', /--against "": give a run id/],
  ['frobnicate', /Unknown argument: frobnicate/],
  ['list --bogus-flag', /Unknown argument: bogus-flag\n/],
  ['list --bogus-flag --other-one', /Unknown arguments: bogus-flag, other-one\n/],
];

for (const [args, message] of refused) {
  test.serial(`zonlab ${args}: exit 2 with the reason, before any command runs`, async (t) => {
    const r = await zonlab(args.split(' '));
    t.is(r.code, 2, r.stderr);
    t.regex(r.stderr, message);
    t.notRegex(r.stderr, /internal error|\n\s+at /, 'no stack trace');
    t.is(r.stubbed, undefined, 'the command did not start');
  });
}

test('an empty scenario cannot be run: refused as bad input before the lab is built', async (t) => {
  // the stub stands for the lab: run's own check of the scenario happens in its handler, so run it for real without root tools
  const r = await execa(process.execPath, [cli, 'run', emptyScenario, '--lb', 'none'], {
    reject: false,
    env: { NO_COLOR: '1', PATH: '/nonexistent', ZONLAB_RESULTS: path.join(scratch, 'results') },
  });
  t.is(r.exitCode, 2, r.stderr);
  t.regex(r.stderr, /no \[\[check\]\]/);
  t.regex(r.stderr, /zonlab init writes an example/);
});

test.serial('every shipped scenario still validates (each has a [[check]])', async (t) => {
  const r = await zonlab(['list', '--json']);
  t.is(r.code, 0, r.stderr);
  const { listScenarioFiles } = await import('../../src/scenario/load.js');
  const { examplesDir } = await import('../../src/paths.js');
  for (const file of listScenarioFiles(examplesDir)) {
    const v = await zonlab(['validate', file]);
    t.is(v.code, 0, `${file}: ${v.stderr}`);
  }
});

test('zonlab validate /dev/zero returns (a separate process, with a deadline)', async (t) => {
  const r = await execa(process.execPath, [cli, 'validate', '/dev/zero'], {
    reject: false,
    timeout: 20_000,
    env: { NO_COLOR: '1' },
  });
  t.false(r.timedOut);
  t.is(r.exitCode, 2, r.stderr);
});

test.serial('a good command line reaches the command with checked, typed options', async (t) => {
  const r = await zonlab([
    'run',
    'veth-netns',
    '--repeat',
    '3',
    '--max-drop',
    '0.05',
    '--junit',
    'out/j.xml',
    '--set',
    'duration=2',
    '--lb',
    'nft',
  ]);
  t.is(r.code, 0, r.stderr);
  t.like(r.stubbed, {
    command: 'run',
    args: { scenario: 'veth-netns', repeat: 3, maxDrop: 0.05, junit: 'out/j.xml', set: ['duration=2'], lb: 'nft' },
  });
  const all = await zonlab(['run', '--all', '--shard', '2/3']);
  t.like(all.stubbed?.args, { all: true, shard: { index: 2, count: 3 } });
});

// Tokens a new user (or a script gone wrong) might type: options, odd values, paths of every kind.
const OPTIONS = [
  '--lb',
  '--zonlb',
  '--host',
  '--json',
  '--verbose',
  '-v',
  '--set',
  '--scenarios',
  '--results',
  '--max-drop',
  '--force',
  '--junit',
  '--markdown',
  '--all',
  '--shard',
  '--keep',
  '--repeat',
  '--warmup',
  '--baseline',
  '--into',
  '--from',
  '--against',
  '--svg',
  '--out',
  '--name',
  '--help',
  '--version',
  '--',
  '-x',
  '--no-host',
];
const VALUES = [
  '0',
  '-1',
  '1',
  '3',
  '1000',
  '1001',
  '2.5',
  '1e3',
  '0x10',
  'NaN',
  'Infinity',
  'abc',
  '',
  ' ',
  '1/2',
  '3/2',
  '0/0',
  '2/2',
  'a/b',
  'duration=1',
  'duration=abc',
  'clients=3',
  'foo',
  '=1',
  'a=',
  'nft',
  'embedded',
  'zon-lb',
  'none',
  'auto',
  'bogus',
  '/proc/foo',
  '/proc',
  '/dev/zero',
  '/dev/null',
  '/nonexistent/x/y',
  'out',
  'out/report',
  'out/j.xml',
  '.',
  '/',
  'results',
  'scenarios',
  'veth-netns',
  'many-clients',
  'dsr-l3',
  'merge',
  'save',
  'check',
  'baseline',
  emptyScenario,
  fifo,
  'zone1',
  'default',
  '0.1',
  '0.99',
];
const COMMANDS = [
  ['run'],
  ['up'],
  ['down'],
  ['status'],
  ['exec'],
  ['plan'],
  ['validate'],
  ['list'],
  ['init'],
  ['results'],
  ['results', 'merge'],
  ['baseline', 'save'],
  ['compare'],
  ['graph'],
  ['audit', 'save'],
  ['audit', 'check'],
  ['report'],
  ['doctor'],
  ['gc'],
  [],
];

test.serial('property: no command line reaches exit 70, and a command starts only with checked options', async (t) => {
  const token = fc.oneof(fc.constantFrom(...OPTIONS), fc.constantFrom(...VALUES), fc.string({ maxLength: 12 }));
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...COMMANDS), fc.array(token, { maxLength: 8 }), async (command, rest) => {
      const r = await zonlab([...command, ...rest]);
      if (r.code === 70 || (r.error !== undefined && !(r.error instanceof UserError))) {
        t.log(`zonlab ${[...command, ...rest].map((x) => JSON.stringify(x)).join(' ')} → ${r.code}\n${r.stderr}`);
        return false;
      }
      const a = r.stubbed?.args;
      if (!a) return true;
      // what reached a lab command was checked: the values its handler relies on
      if (
        a.repeat !== undefined &&
        !(Number.isInteger(a.repeat) && (a.repeat as number) >= 1 && (a.repeat as number) <= 1000)
      )
        return false;
      if (a.maxDrop !== undefined && !((a.maxDrop as number) > 0 && (a.maxDrop as number) < 1)) return false;
      const s = a.shard as { index: number; count: number } | undefined;
      if (s !== undefined && !(s.index >= 1 && s.index <= s.count)) return false;
      if ((a.set as string[]).some((kv) => !/^[A-Za-z0-9_-]+=/.test(kv))) return false;
      for (const k of ['junit', 'markdown', 'zonlb'])
        if (a[k] !== undefined && (typeof a[k] !== 'string' || a[k] === '')) return false;
      return true;
    }),
    { numRuns: 1500 },
  );
  t.pass();
});
