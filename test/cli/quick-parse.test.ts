import test from 'ava';
import { tmpdir } from 'node:os';
import { main, report, viaYargs, type CommandStub } from '../../src/cli.js';
import { quickParse } from '../../src/commands/quick-parse.js';

/**
 * Issue 14: `up` and `down` with plain options skip yargs (about 90 ms of each start). What their
 * handler receives must be what yargs gives it; anything else is left to yargs.
 */
interface Seen {
  code: number;
  command?: string;
  args?: Record<string, unknown>;
  stdout: string;
  stderr: string;
}

async function through(parse: typeof main, argv: string[]): Promise<Seen> {
  const seen: Seen = { code: -1, stdout: '', stderr: '' };
  const stub: CommandStub = (command, args) => {
    Object.assign(seen, { command, args });
    return 0;
  };
  const writes = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = ((s: string) => {
    seen.stdout += s;
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => {
    seen.stderr += s;
    return true;
  }) as typeof process.stderr.write;
  try {
    seen.code = await parse(argv, stub);
  } catch (err) {
    seen.code = report(err);
  } finally {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
  }
  return seen;
}

const QUICK = [
  'up many-clients --host --lb none --set clients=100',
  'down many-clients --host',
  'down many-clients',
  'up veth-netns',
  'up --host veth-netns --lb nft',
  'up veth-netns --lb embedded --json --verbose',
  'up veth-netns -v --set duration=2 --set mtu=1400',
  'up veth-netns --lb zon-lb --zonlb /bin/true',
  `down veth-netns --scenarios ${tmpdir()} --results ${tmpdir()}/no-such-folder`,
  'up ./scenarios/veth-netns.toml --lb auto',
  // issue 22: down names a lab by its id, and stops a run only with --force
  'down veth-netns --id ab12cd34',
  'down veth-netns --id ab12cd34 --force',
  'down --force veth-netns --host',
];

for (const line of QUICK) {
  test.serial(`zonlab ${line}: parsed without yargs, into what yargs gives`, async (t) => {
    const argv = line.split(' ');
    t.truthy(quickParse(argv), 'taken by the quick parse');
    const [quick, full] = [await through(main, argv), await through(viaYargs, argv)];
    t.is(quick.code, 0, quick.stderr);
    // an option not given: undefined in the quick parse's (typed) object, absent from yargs'
    const given = Object.fromEntries(Object.entries(quick.args ?? {}).filter(([, v]) => v !== undefined));
    t.deepEqual({ ...quick, args: given }, full);
  });
}

// help, unknown or repeated options, values yargs reads otherwise, refusals: yargs' words and exit codes
const UNUSUAL = [
  'up',
  'down',
  'up --help',
  'up veth-netns --help',
  'up veth-netns -h',
  'down --version',
  'up veth-netns extra',
  'up veth-netns --bogus',
  'up veth-netns --host --host',
  'up veth-netns -v --verbose',
  'up veth-netns --lb bogus',
  'up veth-netns --lb',
  'up veth-netns --lb none --lb nft',
  'up veth-netns --lb=none',
  'up veth-netns --no-host',
  'up veth-netns --set',
  'up veth-netns --set foo',
  'up veth-netns --set a=1 b=2',
  'up --set a=1 veth-netns',
  'up veth-netns --zonlb --host',
  'up veth-netns --scenarios /nonexistent',
  'up veth-netns --results /dev/null',
  'up 123',
  'up 0x10',
  'up -- veth-netns',
  'up veth-netns --set -1',
  'up constructor --constructor',
  'constructor x',
  'run veth-netns',
  'status',
  'up veth-netns --force',
  'up veth-netns --id ab12cd34',
  'down veth-netns --id',
  'down veth-netns --id --force',
  'down veth-netns --force --force',
  'down veth-netns --id 12345678',
  'down veth-netns --id a --id b',
];

for (const line of UNUSUAL) {
  test.serial(`zonlab ${line}: left to yargs, with the same outcome`, async (t) => {
    const argv = line.split(' ');
    t.is(quickParse(argv), undefined);
    const [quick, full] = [await through(main, argv), await through(viaYargs, argv)];
    t.deepEqual(quick, full);
  });
}
