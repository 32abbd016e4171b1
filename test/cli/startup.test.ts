import test from 'ava';
import { execa } from 'execa';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The CLI starts fast because heavy modules load only when a command needs them (issue 7): koffi
 * (netlink engine, embedded driver), execa and zx, the run pipeline and the report. Which modules a
 * command loads is recorded by a loader hook, not timed.
 */
const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const hook = fileURLToPath(new URL('../helpers/import-log.js', import.meta.url));
const HEAVY = [
  /\/node_modules\/koffi\//,
  /\/node_modules\/execa\//,
  /\/node_modules\/zx\//,
  /\/dist\/src\/output\/html\//,
  /\/dist\/src\/commands\/actions\/run\.js$/,
  /\/dist\/src\/checks\//,
  /\/dist\/lab\/netlink\/(socket|run)\.js$/,
];

async function modulesLoadedBy(args: string[], o: { allowFailure?: boolean } = {}): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-imports-'));
  const log = path.join(dir, 'imports');
  try {
    const r = await execa(process.execPath, ['--import', hook, cli, ...args], {
      reject: false,
      env: { ZONLAB_IMPORT_LOG: log, NO_COLOR: '1', ZONLAB_STATE: path.join(dir, 'state') },
    });
    if (r.exitCode !== 0 && !o.allowFailure)
      throw new Error(`zonlab ${args.join(' ')}: exit ${r.exitCode}\n${r.stderr}`);
    return readFileSync(log, 'utf8').trim().split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const args of [['--version'], ['validate', 'many-clients'], ['plan', 'veth-netns'], ['list']]) {
  test(`zonlab ${args.join(' ')} loads no heavy module`, async (t) => {
    const loaded = await modulesLoadedBy(args);
    t.true(
      loaded.some((u) => u.endsWith('/dist/src/cli.js')),
      'the hook saw the CLI load',
    );
    t.deepEqual(
      loaded.filter((u) => HEAVY.some((h) => h.test(u))),
      [],
    );
  });
}

test('the hook does see a heavy module when a command loads one (zonlab report loads the report)', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-report-'));
  try {
    const loaded = await modulesLoadedBy(['report', '--out', dir]);
    t.true(loaded.some((u) => /\/dist\/src\/output\/html\//.test(u)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a command's --help loads that command's module alone: no other command, none of what it does", async (t) => {
  const loaded = await modulesLoadedBy(['up', '--help']);
  const commands = [
    ...new Set(
      loaded
        .filter((u) => u.includes('/dist/src/commands/'))
        .map((u) => u.slice(u.indexOf('/dist/src/commands/') + '/dist/src/commands/'.length)),
    ),
  ].sort();
  // quick-parse: the CLI's first look at the words (it loads a command only when it takes the line)
  t.deepEqual(commands, ['builders.js', 'index.js', 'options.js', 'quick-parse.js', 'up.js']);
});

test('zonlab up and down with plain options load no yargs (issue 14: about 90 ms of each start)', async (t) => {
  // a scenario that is not there: the command fails after parsing, which is all this looks at
  for (const args of [
    ['up', 'no-such-scenario', '--host', '--lb', 'none', '--set', 'clients=1'],
    ['down', 'no-such-scenario', '--host'],
  ]) {
    const loaded = await modulesLoadedBy(args, { allowFailure: true });
    t.true(
      loaded.some((u) => u.endsWith(`/dist/src/commands/${args[0]}.js`)),
      `${args[0]} ran`,
    );
    t.deepEqual(
      loaded.filter((u) => /\/node_modules\/(yargs|yargs-parser|cliui|y18n)\//.test(u)),
      [],
      args.join(' '),
    );
  }
});

test('zonlab started as a program leaves NODE_EXTRA_CA_CERTS out of its Node (issue 14: Node 20 reads that bundle at every start)', async (t) => {
  // Node warns at its start when the variable names a file it cannot read: the sign it read it
  const env = { NODE_EXTRA_CA_CERTS: path.join(tmpdir(), 'zonlab-no-such-bundle.pem') };
  const asNode = await execa(process.execPath, [cli, '--version'], { env });
  t.regex(asNode.stderr, /extra certs/, 'the control: node itself reads the variable at its start');
  const asProgram = await execa(cli, ['--version'], { env });
  t.is(
    asProgram.stdout.trim(),
    JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version,
  );
  t.notRegex(asProgram.stderr, /extra certs/);
});
