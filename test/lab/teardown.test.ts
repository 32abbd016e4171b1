import test from 'ava';
import { execa } from 'execa';
import { appendFileSync, closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Journal } from '../../lab/journal.js';
import { teardown } from '../../lab/teardown.js';
import { rootGated } from '../helpers/gated.js';

/** An undo that writes its name to a log: argument arrays, as the engine's are. */
const note = (log: string, name: string) => [{ argv: ['sh', '-c', 'echo "$0" >> "$1"', name, log] }];

function fixture() {
  const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-teardown-'));
  const log = path.join(dir, 'log');
  const lines = () => readFileSync(log, 'utf8').trim().split('\n');
  return { log, lines, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('the in-process cleanups go first, newest first, then the journal in reverse', async (t) => {
  const f = fixture();
  const journal = Journal.create({ runId: 'r1', scenario: 's' });
  for (const step of ['first', 'second', 'third'])
    journal.settle(journal.intent(step, note(f.log, `undo ${step}`)), 'done');
  const cleanups = ['server', 'client'].map((what) => ({
    what,
    run: async () => appendFileSync(f.log, `stop ${what}\n`),
  }));
  const report = await teardown(journal, cleanups);
  t.deepEqual(f.lines(), ['stop client', 'stop server', 'undo third', 'undo second', 'undo first']);
  t.deepEqual(report.failures, []);
  t.is(report.undone, 3);
  t.deepEqual(journal.toUndo(), [], 'every step is settled undone');
  f.done();
});

test('a failure never stops teardown: everything is tried and every failure reported', async (t) => {
  const f = fixture();
  const journal = Journal.create({ runId: 'r2', scenario: 's' });
  journal.settle(journal.intent('first', note(f.log, 'undo first')), 'done');
  journal.settle(journal.intent('broken', [{ argv: ['sh', '-c', 'echo "cannot" >&2; exit 3'] }]), 'done');
  journal.settle(journal.intent('third', note(f.log, 'undo third')), 'done');
  const report = await teardown(journal, [{ what: 'unload', run: () => Promise.reject(new Error('busy')) }]);
  t.deepEqual(f.lines(), ['undo third', 'undo first']);
  t.is(report.failures.length, 2);
  t.regex(report.failures[0]!, /^unload: busy/);
  t.regex(report.failures[1]!, /^undo "broken"/);
  t.deepEqual(
    journal.toUndo().map((e) => e.step),
    ['broken'],
    'what failed stays to undo, for gc',
  );
  f.done();
});

test('a step that failed outright made nothing and is not undone; a step never settled (a crash mid-step) is', async (t) => {
  const f = fixture();
  const journal = Journal.create({ runId: 'r3', scenario: 's' });
  journal.settle(journal.intent('failed', note(f.log, 'undo failed')), 'failed');
  journal.intent('interrupted', note(f.log, 'undo interrupted'));
  await teardown(journal);
  t.deepEqual(f.lines(), ['undo interrupted']);
  f.done();
});

const { integration, title } = rootGated();

integration(
  title(
    'a link whose namespace outlives its deletion (held open elsewhere) is deleted by name, not waited for a minute',
  ),
  async (t) => {
    const ns = `zonlab-test-held-${process.pid}`;
    const link = `zlheld${process.pid % 100_000}`;
    await execa('ip', ['netns', 'add', ns]);
    try {
      await execa('ip', ['link', 'add', link, 'type', 'veth', 'peer', 'name', 'peer0', 'netns', ns]);
      // an open namespace file keeps the namespace, and the peer's end with it, after `ip netns delete`,
      // as the kernel's cleanup queue does while it is busy with another namespace
      const held = openSync(`/run/netns/${ns}`, 'r');
      try {
        const journal = Journal.create({ runId: 'r-held', scenario: 's' });
        journal.settle(journal.intent('namespace', [{ argv: ['ip', 'netns', 'delete', ns] }]), 'done');
        journal.settle(journal.intent('veth pair', [], [link]), 'done');
        const report = await teardown(journal);
        t.deepEqual(report.failures, []);
        t.false(existsSync(`/sys/class/net/${link}`));
      } finally {
        closeSync(held);
      }
    } finally {
      await execa('ip', ['link', 'delete', 'dev', link], { reject: false });
      await execa('ip', ['netns', 'delete', ns], { reject: false });
    }
  },
);
