import test from 'ava';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DamagedJournal, Journal } from '../../lab/journal.js';
import { processStart } from '../../lab/process-identity.js';

const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-journal-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

test('entries are written before they run and read back in reverse order', (t) => {
  const file = path.join(dir, 'a.journal');
  const j = Journal.create({ runId: 'r1', scenario: 's' }, file);
  const a = j.intent('create namespace zone1', [{ argv: ['ip', 'netns', 'delete', 'zone1'] }]);
  j.settle(a, 'done');
  const b = j.intent('add address', [{ argv: ['ip', 'address', 'delete', '1.2.3.4/32', 'dev', 'lo'] }]);
  // a crash here: b is an intent only
  const read = Journal.read(file);
  t.is(read.header.runId, 'r1');
  t.deepEqual(
    read.toUndo().map((e) => e.seq),
    [b, a],
  );
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

test("a write after the journal's file vanished never creates a file without its header; an intent stops the step", (t) => {
  const file = path.join(dir, 'e.journal');
  const j = Journal.create({ runId: 'r6', scenario: 's' }, file);
  const a = j.intent('x', [{ argv: ['true'] }]);
  unlinkSync(file);
  j.settle(a, 'done');
  t.false(existsSync(file), 'a settle does not recreate it');
  t.throws(() => j.intent('y', [{ argv: ['true'] }]), {
    message: /journal .*e\.journal was removed while this run was using it/,
  });
  t.false(existsSync(file));
  t.deepEqual(
    j.toUndo().map((e) => e.step),
    ['y', 'x'],
    'what was made is still undone from memory',
  );
});

test("a journal never writes into, nor removes, another run's journal put at its path", (t) => {
  const file = path.join(dir, 'f.journal');
  const mine = Journal.create({ runId: 'r7', scenario: 's' }, file);
  unlinkSync(file);
  const theirs = Journal.create({ runId: 'r8', scenario: 's' }, file);
  theirs.intent('theirs', []);
  const text = readFileSync(file, 'utf8');
  mine.settleMany([], 'done');
  t.throws(() => mine.intent('mine', []), { message: /was removed while this run was using it/ });
  mine.remove();
  t.is(readFileSync(file, 'utf8'), text);
  t.is(Journal.read(file).header.runId, 'r8');
});

test('a journal records the start time of its process with its pid', (t) => {
  const file = path.join(dir, 'g.journal');
  const j = Journal.create({ runId: 'r9', scenario: 's' }, file);
  t.is(Journal.read(file).header.pidStart, processStart(process.pid));
  t.truthy(j.header.pidStart);
});

for (const [kind, text] of [
  [
    'without a header',
    '{"seq":1,"step":"x","state":"done","undo":[{"argv":["ip","link","delete","dev","zlab0"]}]}\n{"seq":2,"state":"undone"}\n',
  ],
  [
    'with a torn header',
    '{"journal":"zonlab","runId":"ab\n{"seq":1,"step":"x","state":"done","undo":[{"argv":["ip","link","delete","dev","zlab0"]}]}\n',
  ],
  ['of garbage', '\u0000\u0001 not json at all\n[1,2,3]\n"zonlab"\n'],
] as const) {
  test(`a journal ${kind} is a DamagedJournal, and what can be read of it is salvaged`, (t) => {
    const file = path.join(dir, `damaged-${kind.replace(/\W+/g, '-')}.journal`);
    writeFileSync(file, text);
    t.throws(() => Journal.read(file), { instanceOf: DamagedJournal, message: /is not a zonlab journal/ });
    const salvaged = Journal.salvage(text, 's');
    t.is(salvaged.file, undefined, 'salvaged in memory: nothing written back');
    t.deepEqual(
      salvaged.toUndo().map((e) => e.undo.map((u) => ('argv' in u ? u.argv.join(' ') : u.kind))[0]),
      kind === 'of garbage' ? [] : ['ip link delete dev zlab0'],
    );
  });
}

test('salvage takes undo commands only as zonlab writes them: argument arrays of strings', (t) => {
  const text =
    '{"seq":1,"step":"x","state":"done","undo":[{"argv":"rm -rf /"}]}\n{"seq":2,"step":"y","state":"intent","undo":[{"argv":["ip",1]}]}\n';
  t.deepEqual(
    Journal.salvage(text, 's')
      .toUndo()
      .map((e) => e.undo),
    [[], []],
  );
});

test('a journal whose header is not its first line is damaged (zonlab writes it first and checks it there)', (t) => {
  const file = path.join(dir, 'h.journal');
  writeFileSync(
    file,
    `{"seq":1,"step":"x","state":"done","undo":[]}\n${JSON.stringify({ journal: 'zonlab', runId: 'r10', scenario: 's', pid: 1, started: 'now' })}\n`,
  );
  t.throws(() => Journal.read(file), { instanceOf: DamagedJournal, message: /header is not its first line/ });
});
