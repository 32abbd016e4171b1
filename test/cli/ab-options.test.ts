import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main, report } from '../../src/cli.js';

/** zonlab ab's options: a bad load balancer or a wrong combination is exit 2 with the option, its value and a hint, before anything runs. */
const scratch = mkdtempSync(path.join(tmpdir(), 'zonlab-ab-options-'));
test.after.always(() => rmSync(scratch, { recursive: true, force: true }));
const obj = path.join(scratch, 'head.o');
writeFileSync(obj, 'x');

async function zonlab(argv: string[]) {
  const out: { code: number; stderr: string; stubbed?: { command: string; args: Record<string, unknown> } } = {
    code: -1,
    stderr: '',
  };
  const err = process.stderr.write;
  process.stderr.write = ((s: string) => {
    out.stderr += s;
    return true;
  }) as typeof process.stderr.write;
  try {
    out.code = await main(argv, (command, args) => {
      out.stubbed = { command, args: args as Record<string, unknown> };
      return 0;
    });
  } catch (e) {
    out.code = report(e);
  } finally {
    process.stderr.write = err;
  }
  return out;
}

const refused: [string, RegExp][] = [
  [
    'ab lb-bench --a foo --b nft',
    /--a foo: not a load balancer\n {2}give embedded, nft, none, embedded:PATH\.o or zon-lb:PATH/,
  ],
  ['ab lb-bench --a nft --b auto', /--b auto: not a load balancer/],
  ['ab lb-bench --a nft --b zon-lb', /--b zon-lb: zon-lb needs its binary\n {2}zon-lb:PATH/],
  ['ab lb-bench --a nft --b embedded:/nonexistent.o', /--b embedded:\/nonexistent\.o: \/nonexistent\.o is not a file/],
  [`ab lb-bench --a nft --b embedded:${scratch}`, /is not a file/],
  ['ab lb-bench --a nft', /zonlab ab needs --a and --b \(--b is missing\)/],
  ['ab lb-bench --a nft --a none --b nft', /--a nft none: given 2 times/],
  ['ab lb-bench --a nft --b embedded --lb nft', /--lb does not apply to ab/],
  ['ab lb-bench --a nft --b embedded --host', /--host would put both labs/],
  ['ab --a nft --b embedded', /name a scenario, or give --all/],
  ['ab lb-bench --all --a nft --b embedded', /give a scenario or --all, not both/],
  ['ab lb-bench --shard 1/2 --a nft --b embedded', /--shard goes with --all/],
  ['ab lb-bench --a nft --b embedded --repeat 3 --max-repeat 5', /--max-repeat applies to --repeat auto/],
  ['ab lb-bench --a nft --b embedded --max-repeat 2', /--max-repeat 2: give a whole number from 3/],
  ['ab lb-bench --a nft --b embedded --max-drop 2', /--max-drop 2: give a fraction/],
  [
    'ab lb-bench --a none --a-set target --b embedded',
    /--a-set target: expected NAME=VALUE\n {2}for example --a-set duration=2/,
  ],
];
for (const [args, message] of refused) {
  test.serial(`zonlab ${args}: exit 2 with the reason`, async (t) => {
    const r = await zonlab(args.split(' '));
    t.is(r.code, 2, r.stderr);
    t.regex(r.stderr, message);
    t.is(r.stubbed, undefined, 'nothing ran');
  });
}

test.serial('the sides as given reach the command, parsed', async (t) => {
  const r = await zonlab([
    'ab',
    'lb-bench',
    '--a',
    'embedded',
    '--b',
    `embedded:${obj}`,
    '--repeat',
    'auto',
    '--max-repeat',
    '10',
    '--set',
    'duration=2',
    '--a-set',
    'target=10.2.0.2',
    '--a-set',
    'through=none',
  ]);
  t.is(r.code, 0, r.stderr);
  t.deepEqual(r.stubbed?.args.aSet, ['target=10.2.0.2', 'through=none'], "A's own parameters");
  t.deepEqual(r.stubbed?.args.bSet, []);
  t.like(r.stubbed, {
    command: 'ab',
    args: {
      scenario: 'lb-bench',
      a: { spec: 'embedded', driver: 'embedded' },
      b: { driver: 'embedded', object: obj },
      repeat: 'auto',
      maxRepeat: 10,
    },
  });
});

test.serial('the insides of ab and of a sandboxed run or up (ab-side, inside) are not listed in --help', async (t) => {
  const writes = process.stdout.write;
  let help = '';
  process.stdout.write = ((s: string) => {
    help += s;
    return true;
  }) as typeof process.stdout.write;
  try {
    await main(['--help']);
  } finally {
    process.stdout.write = writes;
  }
  t.regex(help, /zonlab ab \[scenario\]/);
  t.notRegex(help, /ab-side/);
  t.notRegex(help, /zonlab inside/);
});
