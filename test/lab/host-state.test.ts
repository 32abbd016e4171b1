import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LabError } from '../../lab/errors.js';
import { holderOf, hostLabOf, hostLabs, hostPreflight, inUseError, tearDownHostLab } from '../../lab/host-state.js';
import { Journal } from '../../lab/journal.js';
import { registerLab } from '../../lab/registry.js';
import { hostJournalFile, workDirOf } from '../../lab/state-files.js';

/** The one rule for a --host lab's state, read from its journal and the registry in a state folder of the test's own. */
const state = mkdtempSync(path.join(tmpdir(), 'zonlab-host-state-'));
process.env.ZONLAB_STATE = state;
test.after.always(() => rmSync(state, { recursive: true, force: true }));

/** A journal as this process writes it; `other` makes its writer another process (a killed run's). */
function journal(name: string, runId: string, other = false): string {
  const file = hostJournalFile(name);
  Journal.create({ runId, scenario: name }, file);
  if (other) {
    const [header, ...rest] = readFileSync(file, 'utf8').split('\n');
    writeFileSync(file, [JSON.stringify({ ...JSON.parse(header!), pidStart: 'another start' }), ...rest].join('\n'));
  }
  return file;
}
const entry = (name: string, runId: string, leftUp: boolean) =>
  registerLab({
    scenario: name,
    runId,
    mode: 'host',
    command: 'up',
    started: 'now',
    driver: 'nft',
    pid: process.pid,
    pidStart: 'another start',
    leftUp,
    namespaces: [],
  });

test.serial(
  'running while its process lives, up when left up on purpose, stale when its run was killed, damaged when unreadable, none without a journal',
  (t) => {
    journal('live', 'r-live');
    journal('kept', 'r-kept', true);
    entry('kept', 'r-kept', true);
    journal('killed', 'r-killed', true);
    entry('killed', 'r-killed', false);
    journal('orphan', 'r-orphan', true);
    writeFileSync(hostJournalFile('garbage'), 'not a journal\n');
    writeFileSync(path.join(path.dirname(hostJournalFile('x')), 'notes.txt'), 'not a journal either');
    t.like(hostLabOf('live'), { state: 'running', name: 'live', header: { runId: 'r-live', pid: process.pid } });
    t.like(hostLabOf('kept'), { state: 'up', entry: { runId: 'r-kept' } });
    t.like(hostLabOf('killed'), { state: 'stale', entry: { runId: 'r-killed' } });
    t.like(hostLabOf('orphan'), { state: 'stale', entry: undefined });
    t.like(hostLabOf('garbage'), { state: 'damaged', file: hostJournalFile('garbage') });
    t.is(hostLabOf('none'), undefined);
    t.deepEqual(
      hostLabs()
        .map((l) => `${l.name} ${l.state}`)
        .sort(),
      ['garbage damaged', 'kept up', 'killed stale', 'live running', 'orphan stale'],
    );
  },
);

test.serial('a live lab is refused with who holds it; a stale one is taken down and forgotten', async (t) => {
  const live = hostLabOf('live')!;
  if (live.state === 'damaged') return t.fail();
  t.is(holderOf(live), `run r-live (pid ${process.pid}, started ${live.header.started})`);
  const refused = inUseError(live);
  t.is(refused.outcome, 'refused');
  t.is(refused.message, `live is in use by ${holderOf(live)}`);
  await t.throwsAsync(
    tearDownHostLab(live, () => {}),
    { instanceOf: LabError, message: /live is in use by run r-live/ },
  );
  t.true(existsSync(live.file), 'a refused teardown leaves the journal');

  mkdirSync(workDirOf('r-killed'), { recursive: true });
  const report = await tearDownHostLab(hostLabOf('killed')!, () => {});
  t.deepEqual(report.failures, []);
  t.is(hostLabOf('killed'), undefined, 'the journal is gone');
  t.false(existsSync(workDirOf('r-killed')), 'and its scratch folder');
  t.false(readdirSync(path.join(state, 'labs')).includes('r-killed.json'), 'and its registration');
});

test.serial(
  'a damaged journal is set aside beside itself, with a warning, and what can be read is undone',
  async (t) => {
    const warnings: string[] = [];
    const report = await tearDownHostLab(hostLabOf('garbage')!, (w) => warnings.push(w));
    t.deepEqual(report.failures, []);
    t.is(hostLabOf('garbage'), undefined);
    t.true(readdirSync(path.dirname(hostJournalFile('garbage'))).some((f) => f.startsWith('garbage.journal.damaged-')));
    t.is(warnings.length, 1);
    t.regex(warnings[0]!, /is not a zonlab journal .*: set aside as garbage\.journal\.damaged-/);
  },
);

test('a --host lab is refused when a name it would create exists already (zonlab never reuses what it did not make)', async (t) => {
  const err = await t.throwsAsync(hostPreflight('x', [`zonlab-none-${process.pid}`], ['lo', `zl${process.pid}`]), {
    instanceOf: LabError,
  });
  t.is(err.message, 'cannot build x on the host: interface lo already exist');
  await t.notThrowsAsync(hostPreflight('x', [`zonlab-none-${process.pid}`], [`zl${process.pid}`]));
});
