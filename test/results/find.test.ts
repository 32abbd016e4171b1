import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UserError } from '../../src/errors.js';
import { choosePaths } from '../../src/paths.js';
import { findRecord } from '../../src/results/find.js';
import { writeRecord } from '../../src/results/store.js';
import { record } from '../helpers/record.js';

/** `zonlab results show REF`, `compare REF`: a run by id, by file, or the latest. */
const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-results-find-'));
test.after.always(() => { choosePaths({}); rmSync(dir, { recursive: true, force: true }); });
const at = (id: string, time: string, name: string) => {
  const r = record(id, [1e9]);
  return { ...r, time, scenario: { ...r.scenario, name } };
};
const older = writeRecord(at('older', '2026-11-24T01:00:00.000Z', 'a'), dir);
writeRecord(at('newer', '2026-11-24T02:00:00.000Z', 'b'), dir);
writeRecord(at('latest-a', '2026-11-24T00:30:00.000Z', 'a'), dir);
choosePaths({ results: dir });

test('by id, by file (relative or absolute), or the latest of one scenario or of all', (t) => {
  t.is(findRecord('older').file, older);
  t.is(findRecord(older).record.id, 'older');
  t.is(findRecord(path.relative(process.cwd(), older)).file, older, 'a relative path comes back absolute');
  t.is(findRecord(undefined).record.id, 'newer');
  t.is(findRecord(undefined, 'a').record.id, 'older', 'the latest by time, not by file name');
});

test('what is not there is the user\'s error, with the way to list runs', (t) => {
  const noId = t.throws(() => findRecord('nope'), { instanceOf: UserError, message: 'no run with id nope' });
  t.deepEqual(noId.details, ['zonlab results lists them']);
  t.throws(() => findRecord(undefined, 'none'), { instanceOf: UserError, message: 'no recorded run of none' });
  t.throws(() => findRecord(path.join(dir, 'missing.json')), { instanceOf: UserError, message: /^no result file .*missing\.json$/ });
});
