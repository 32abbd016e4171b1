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
const HEAVY = [/\/node_modules\/koffi\//, /\/node_modules\/execa\//, /\/node_modules\/zx\//, /\/dist\/src\/output\/html\//, /\/dist\/src\/commands\/actions\/run\.js$/, /\/dist\/src\/checks\//, /\/dist\/lab\/netlink\/(socket|run)\.js$/];

async function modulesLoadedBy(args: string[]): Promise<string[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-imports-'));
  const log = path.join(dir, 'imports');
  try {
    const r = await execa(process.execPath, ['--import', hook, cli, ...args], { reject: false, env: { ZONLAB_IMPORT_LOG: log, NO_COLOR: '1' } });
    if (r.exitCode !== 0) throw new Error(`zonlab ${args.join(' ')}: exit ${r.exitCode}\n${r.stderr}`);
    return readFileSync(log, 'utf8').trim().split('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

for (const args of [['--version'], ['validate', 'many-clients'], ['plan', 'veth-netns'], ['list']]) {
  test(`zonlab ${args.join(' ')} loads no heavy module`, async (t) => {
    const loaded = await modulesLoadedBy(args);
    t.true(loaded.some((u) => u.endsWith('/dist/src/cli.js')), 'the hook saw the CLI load');
    t.deepEqual(loaded.filter((u) => HEAVY.some((h) => h.test(u))), []);
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
  const commands = [...new Set(loaded.filter((u) => u.includes('/dist/src/commands/')).map((u) => u.slice(u.indexOf('/dist/src/commands/') + '/dist/src/commands/'.length)))].sort();
  t.deepEqual(commands, ['builders.js', 'index.js', 'options.js', 'up.js']);
});
