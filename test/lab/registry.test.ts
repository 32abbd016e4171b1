import test from 'ava';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { labsOf, listLabs, readEntries, registerLab, unregisterLab, type LabEntry } from '../../lab/registry.js';
import { hostJournalFile, labsDir } from '../../lab/state-files.js';

// a state directory of this test file's own (ava runs each file in its own process)
process.env.ZONLAB_STATE = mkdtempSync(path.join(tmpdir(), 'zonlab-registry-'));

const entry = (e: Partial<LabEntry> & Pick<LabEntry, 'runId'>): LabEntry => ({
  scenario: 's',
  mode: 'sandbox',
  command: 'run',
  started: '2026-01-01T00:00:00Z',
  driver: 'nft',
  namespaces: [],
  ...e,
});
/** A pid no process has: above the kernel's pid_max limit. */
const DEAD_PID = 4_194_305;

test.serial('a sandbox counts while its very holder lives; a dead one is dropped from the registry', (t) => {
  registerLab(entry({ runId: 'alive1', holderPid: process.pid }));
  registerLab(entry({ runId: 'dead1', holderPid: DEAD_PID, holderStart: '1' }));
  t.truthy(readEntries().find((e) => e.runId === 'alive1')?.holderStart, 'the start time is recorded with the pid');
  t.deepEqual(
    listLabs().map((e) => e.runId),
    ['alive1'],
  );
  t.false(readdirSync(labsDir()).includes('dead1.json'));
  unregisterLab('alive1');
});

test.serial('a reused pid is not the holder: the recorded start time must match', (t) => {
  registerLab(entry({ runId: 'reused', holderPid: process.pid, holderStart: '1' }));
  t.deepEqual(listLabs(), []);
});

test.serial('a host lab counts while its journal exists', (t) => {
  registerLab(entry({ runId: 'h1', scenario: 'web', mode: 'host', pid: DEAD_PID, pidStart: '1' }));
  t.deepEqual(listLabs(), []);
  registerLab(entry({ runId: 'h2', scenario: 'web', mode: 'host', pid: DEAD_PID, pidStart: '1' }));
  mkdirSync(path.dirname(hostJournalFile('web')), { recursive: true });
  writeFileSync(hostJournalFile('web'), '');
  t.deepEqual(
    listLabs().map((e) => e.runId),
    ['h2'],
  );
  unregisterLab('h2');
});

test.serial(
  'labs are listed oldest first, and by scenario; a torn entry is skipped; unregistering twice does nothing',
  (t) => {
    registerLab(entry({ runId: 'late', scenario: 'a', holderPid: process.pid, started: '2026-02-01T00:00:00Z' }));
    registerLab(entry({ runId: 'early', scenario: 'b', holderPid: process.pid, started: '2026-01-01T00:00:00Z' }));
    writeFileSync(path.join(labsDir(), 'torn.json'), '{"runId": "to');
    t.deepEqual(
      listLabs().map((e) => e.runId),
      ['early', 'late'],
    );
    t.deepEqual(
      labsOf('a').map((e) => e.runId),
      ['late'],
    );
    unregisterLab('late');
    unregisterLab('late');
    unregisterLab('early');
    t.deepEqual(listLabs(), []);
  },
);

test.after.always(() => rmSync(process.env.ZONLAB_STATE!, { recursive: true, force: true }));
