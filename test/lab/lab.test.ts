import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LabError } from '../../lab/errors.js';
import { Journal } from '../../lab/journal.js';
import { startLab, type Loader, type StartedLab } from '../../lab/lab.js';
import { registerLab } from '../../lab/registry.js';
import { hostJournalFile } from '../../lab/state-files.js';
import type { Step } from '../../lab/steps.js';

/**
 * A lab's life without a topology (no namespace, no root): the load balancer's step journalled
 * before it runs, undone at stop or after a failed start, and the --host lock. State in a folder of the test's own.
 */
const state = mkdtempSync(path.join(tmpdir(), 'zonlab-lab-'));
process.env.ZONLAB_STATE = state;
test.after.always(() => rmSync(state, { recursive: true, force: true }));

const lbStep = { kind: 'lb-load', driver: 'fake', interfaces: [] } as unknown as Step;
/** A loader that notes what happens to it; its crash undo writes a marker file (a real process, as teardown runs it). */
function fakeLoader(events: string[], marker: string, fail = false): Loader<string> {
  return {
    what: 'fake',
    crashUndo: [{ argv: [process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'undone')`] }],
    load: async () => {
      events.push('load');
      if (fail) throw new Error('the load failed');
      return 'loaded';
    },
    unload: async (b) => {
      events.push(`unload ${b}`);
    },
  };
}
let n = 0;
const options = (events: string[], marker: string, extra: object = {}) => ({
  name: `lab${++n}`,
  mode: 'sandbox' as const,
  runId: `run${n}`,
  steps: [lbStep],
  driver: 'fake',
  log: () => {},
  onStep: (i: number, total: number, what: string) => events.push(`[${i}/${total}] ${what}`),
  ...extra,
});

test("the load balancer loads as the plan's last step, journalled first; stop unloads it after what was deferred, once", async (t) => {
  const events: string[] = [];
  const marker = path.join(state, 'marker-ok');
  let workDir = '';
  const lab = await startLab({
    ...options(events, marker),
    loader: (w) => {
      workDir = w;
      return fakeLoader(events, marker);
    },
  });
  t.is(lab.balancer, 'loaded');
  t.true(existsSync(workDir), 'the run has its work folder while up');
  t.deepEqual(
    lab.journal.all().map((e) => `${e.step}: ${e.state}`),
    ['load fake: done'],
  );
  lab.defer('stop a server', async () => {
    events.push('server');
  });
  const [a, b] = [lab.stop(), lab.stop()];
  t.is(a, b, 'one teardown, however many stops');
  t.deepEqual((await a).failures, []);
  t.deepEqual(events, ['[1/1] load the load balancer (fake)', 'load', 'server', 'unload loaded']);
  t.false(existsSync(workDir));
  t.false(existsSync(marker), 'an orderly unload is not the crash undo');
});

test('a failed load is undone by its crash undo before the error reaches the caller', async (t) => {
  const events: string[] = [];
  const marker = path.join(state, 'marker-failed');
  await t.throwsAsync(startLab({ ...options(events, marker), loader: () => fakeLoader(events, marker, true) }), {
    message: 'the load failed',
  });
  t.is(readFileSync(marker, 'utf8'), 'undone');
  t.false(
    events.some((e) => e.startsWith('unload')),
    'nothing loaded, nothing to unload',
  );
});

test('--keep: a failed start hands its lab over as it is, for a person to look at', async (t) => {
  const events: string[] = [];
  const marker = path.join(state, 'marker-kept');
  const err = await t.throwsAsync(
    startLab({ ...options(events, marker), keepOnFailure: true, loader: () => fakeLoader(events, marker, true) }),
  );
  const lab = (err as Error & { partialLab?: StartedLab<string> }).partialLab;
  t.truthy(lab);
  t.false(existsSync(marker), 'not torn down yet');
  await lab!.stop();
  t.is(readFileSync(marker, 'utf8'), 'undone');
});

/** A journal of another process (a run that was killed, or a lab left up). */
function otherJournal(runId: string, name: string): void {
  const file = hostJournalFile(name);
  Journal.create({ runId, scenario: name }, file);
  const [header, ...rest] = readFileSync(file, 'utf8').split('\n');
  writeFileSync(file, [JSON.stringify({ ...JSON.parse(header!), pidStart: 'another start' }), ...rest].join('\n'));
}

test.serial('--host: a lab left up, or held by a live run, is refused before anything is made', async (t) => {
  const events: string[] = [];
  otherJournal('left', 'kept');
  registerLab({
    scenario: 'kept',
    runId: 'left',
    mode: 'host',
    command: 'up',
    started: 'then',
    driver: 'nft',
    pid: process.pid,
    pidStart: 'another start',
    leftUp: true,
    namespaces: [],
  });
  const before = readFileSync(hostJournalFile('kept'), 'utf8');
  const up = await t.throwsAsync(
    startLab({ ...options(events, ''), name: 'kept', mode: 'host', loader: () => fakeLoader(events, '') }),
    { instanceOf: LabError, message: 'kept is up on this machine (left up by run left)' },
  );
  t.deepEqual(up.details, ['remove it with: zonlab down kept --host']);
  Journal.create({ runId: 'live', scenario: 'held' }, hostJournalFile('held'));
  await t.throwsAsync(
    startLab({ ...options(events, ''), name: 'held', mode: 'host', loader: () => fakeLoader(events, '') }),
    { instanceOf: LabError, message: /^held is in use by run live \(pid / },
  );
  t.deepEqual(events, [], 'nothing ran');
  t.is(readFileSync(hostJournalFile('kept'), 'utf8'), before);
});
