import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readRecords, writeRecord } from '../../src/results/store.js';
import { record } from '../helpers/record.js';

/** Records on disk: where they go, that they are never rewritten, and what reading makes of strangers. */
const root = mkdtempSync(path.join(tmpdir(), 'zonlab-results-store-'));
test.after.always(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const scratch = () => ({ dir: path.join(root, String(++n)) });
const at = (id: string, time: string, name = 'veth-netns') => {
  const r = record(id, [1e9]);
  return { ...r, time, scenario: { ...r.scenario, name } };
};

test('a record goes to SCENARIO/TIME-ID.json, whole (no temporary file left), readable by others', (t) => {
  const s = scratch();
  const file = writeRecord(at('abc', '2026-11-24T01:02:03.456Z'), s.dir);
  t.is(file, path.join(s.dir, 'veth-netns', '2026-11-24T01-02-03-456Z-abc.json'));
  t.deepEqual(readdirSync(path.dirname(file)), [path.basename(file)]);
  t.is(statSync(file).mode & 0o777, 0o644);
  t.like(JSON.parse(readFileSync(file, 'utf8')), { id: 'abc', scenario: { name: 'veth-netns' } });
});

test('a record is never rewritten', (t) => {
  const s = scratch();
  const r = at('abc', '2026-11-24T01:02:03.456Z');
  writeRecord(r, s.dir);
  t.throws(() => writeRecord({ ...r, status: 'failed' }, s.dir), { message: /exists already: records are never rewritten/ });
  t.is(readRecords(undefined, s.dir).records[0]!.record.status, 'passed');
});

test('reading: oldest first across scenarios, baselines/ skipped, strangers reported and not fatal', (t) => {
  const s = scratch();
  writeRecord(at('late', '2026-11-24T03:00:00.000Z', 'b'), s.dir);
  writeRecord(at('early', '2026-11-24T01:00:00.000Z', 'a'), s.dir);
  writeRecord(at('middle', '2026-11-24T02:00:00.000Z', 'b'), s.dir);
  mkdirSync(path.join(s.dir, 'baselines'));
  writeFileSync(path.join(s.dir, 'baselines', 'b--nft.json'), JSON.stringify(at('baseline', '2026-11-24T00:00:00.000Z')));
  writeFileSync(path.join(s.dir, 'a', 'broken.json'), '{ "schema": 1,');
  writeFileSync(path.join(s.dir, 'a', 'other.json'), JSON.stringify({ schema: 2, id: 'x', scenario: { name: 'a' } }));
  writeFileSync(path.join(s.dir, 'a', 'notes.txt'), 'not json');
  const r = readRecords(undefined, s.dir);
  t.deepEqual(r.records.map((x) => x.record.id), ['early', 'middle', 'late']);
  t.deepEqual(r.corrupt.map((c) => path.basename(c.file)).sort(), ['broken.json', 'other.json']);
  t.regex(r.corrupt.find((c) => c.file.endsWith('other.json'))!.why, /not a zonlab run record/);
  t.deepEqual(readRecords('b', s.dir).records.map((x) => x.record.id), ['middle', 'late'], 'one scenario');
  t.deepEqual(readRecords('none', s.dir), { records: [], corrupt: [] });
});

test('no results folder yet: nothing, and nothing made', (t) => {
  const dir = path.join(tmpdir(), `zonlab-results-none-${process.pid}`);
  t.deepEqual(readRecords(undefined, dir), { records: [], corrupt: [] });
  t.false(existsSync(dir));
});
