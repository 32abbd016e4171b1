import test from 'ava';
import { appendFileSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Journal } from '../../lab/journal.js';

const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-journal-'));

test('entries are written before they run and read back in reverse order', (t) => {
  const file = path.join(dir, 'a.journal');
  const j = Journal.create({ runId: 'r1', scenario: 's' }, file);
  const a = j.intent('create namespace zone1', [{ argv: ['ip', 'netns', 'delete', 'zone1'] }]);
  j.settle(a, 'done');
  const b = j.intent('add address', [{ argv: ['ip', 'address', 'delete', '1.2.3.4/32', 'dev', 'lo'] }]);
  // a crash here: b is an intent only
  const read = Journal.read(file);
  t.is(read.header.runId, 'r1');
  t.deepEqual(read.toUndo().map((e) => e.seq), [b, a]);
  t.is(statSync(file).mode & 0o777, 0o600);
});

test('a failed step is not undone, an undone one not twice', (t) => {
  const file = path.join(dir, 'b.journal');
  const j = Journal.create({ runId: 'r2', scenario: 's' }, file);
  const a = j.intent('x', []);
  j.settle(a, 'failed');
  const b = j.intent('y', []);
  j.settle(b, 'done');
  j.settle(b, 'undone');
  t.deepEqual(Journal.read(file).toUndo(), []);
});

test('a torn last line from a crash mid-write is ignored', (t) => {
  const file = path.join(dir, 'c.journal');
  const j = Journal.create({ runId: 'r3', scenario: 's' }, file);
  j.settle(j.intent('x', [{ argv: ['true'] }]), 'done');
  appendFileSync(file, '{"seq":2,"state":"int');
  const read = Journal.read(file);
  t.is(read.toUndo().length, 1);
  t.true(readFileSync(file, 'utf8').includes('"journal":"zonlab"'));
});

test('a second journal for the same lab is refused', (t) => {
  const file = path.join(dir, 'd.journal');
  Journal.create({ runId: 'r4', scenario: 's' }, file);
  t.throws(() => Journal.create({ runId: 'r5', scenario: 's' }, file), { code: 'EEXIST' });
});
