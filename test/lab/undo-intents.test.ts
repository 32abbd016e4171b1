import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Journal } from '../../lab/journal.js';
import { teardown } from '../../lab/teardown.js';

/**
 * Issue 24: the zon-lb driver's crash undo was `node …/dist/src/drivers/zonlb-pins.js BPFFS IF…`,
 * a path into one install's code. The journal now holds the intent (zonlb-pins-teardown and its
 * data) and teardown interprets it; the old form is read as the same intent. A plain folder stands
 * for the bpffs: releasing pins is removing files.
 */
function bpffs(names: string[]) {
  const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-intents-'));
  mkdirSync(path.join(dir, 'fs'));
  for (const n of names) writeFileSync(path.join(dir, 'fs', n), '');
  return {
    fs: path.join(dir, 'fs'),
    left: () => readdirSync(path.join(dir, 'fs')).sort(),
    done: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A journal as a crashed --host run leaves it on disk, read back as `zonlab down` reads it. */
function crashed(dir: string, undo: unknown[]): Journal {
  const file = path.join(dir, 'lab.journal');
  const j = Journal.create({ runId: 'r', scenario: 's' }, file);
  j.intent('load zon-lb', undo as never);
  return Journal.read(file);
}

test("a journalled zonlb-pins-teardown intent: the lab's link pins go, then the maps when no zon-lb link is left", async (t) => {
  const b = bpffs(['zlb_veth0', 'zlb_veth2', 'ZLB_TXPORT', 'ZLBX_FRAG']);
  const j = crashed(path.dirname(b.fs), [{ kind: 'zonlb-pins-teardown', bpffs: b.fs, interfaces: ['veth0', 'veth2'] }]);
  const report = await teardown(j);
  t.deepEqual(report.failures, []);
  t.deepEqual(b.left(), []);
  t.deepEqual(j.toUndo(), [], 'settled undone');
  b.done();
});

test("another zon-lb's link keeps the shared maps", async (t) => {
  const b = bpffs(['zlb_veth0', 'zlb_other', 'ZLB_TXPORT']);
  const report = await teardown(
    crashed(path.dirname(b.fs), [{ kind: 'zonlb-pins-teardown', bpffs: b.fs, interfaces: ['veth0'] }]),
  );
  t.deepEqual(report.failures, []);
  t.deepEqual(b.left(), ['ZLB_TXPORT', 'zlb_other']);
  b.done();
});

test('a journal of an older version (node …/zonlb-pins.js BPFFS IF…, a path that is gone) is undone as the same intent', async (t) => {
  const b = bpffs(['zlb_veth0', 'ZLB_TXPORT']);
  const old = { argv: ['/usr/bin/node', '/nonexistent/old-install/dist/src/drivers/zonlb-pins.js', b.fs, 'veth0'] };
  const report = await teardown(crashed(path.dirname(b.fs), [old]));
  t.deepEqual(report.failures, []);
  t.deepEqual(b.left(), []);
  b.done();
});

test('an intent this version does not know (a newer zonlab wrote it) is a reported failure, never forgotten', async (t) => {
  const b = bpffs([]);
  const j = crashed(path.dirname(b.fs), [{ kind: 'frobnicate-teardown', thing: 1 }]);
  t.is(j.toUndo()[0]!.undo.length, 1, 'kept when read');
  const report = await teardown(j);
  t.is(report.failures.length, 1);
  t.regex(report.failures[0]!, /undo "load zon-lb": unknown undo kind "frobnicate-teardown"/);
  t.is(j.toUndo().length, 1, 'still to undo');
  b.done();
});

test('an intent with a malformed payload is not taken from a journal (nothing outside an absolute bpffs)', (t) => {
  const b = bpffs([]);
  for (const bad of [
    { kind: 'zonlb-pins-teardown', bpffs: 'relative', interfaces: [] },
    { kind: 'zonlb-pins-teardown', bpffs: '/sys/fs/bpf', interfaces: [1] },
  ]) {
    t.deepEqual(crashed(path.dirname(b.fs), [bad]).toUndo()[0]!.undo, [], JSON.stringify(bad));
    rmSync(path.join(path.dirname(b.fs), 'lab.journal'));
  }
  t.false(existsSync(path.join(path.dirname(b.fs), 'lab.journal')));
  b.done();
});

test("a journalled ifindex-release intent removes the run's reservation files and no other run's (issue 22)", async (t) => {
  const b = bpffs([]);
  writeFileSync(path.join(b.fs, '255'), '{"runId":"r","ifname":"veth0"}\n');
  writeFileSync(path.join(b.fs, '254'), '{"runId":"other","ifname":"veth0"}\n');
  const files = ['255', '254'].map((f) => path.join(b.fs, f));
  const report = await teardown(crashed(path.dirname(b.fs), [{ kind: 'ifindex-release', runId: 'r', files }]));
  t.deepEqual(report.failures, []);
  t.deepEqual(b.left(), ['254']);
  b.done();
});

test('the new intents with a malformed payload are not taken from a journal', (t) => {
  const b = bpffs([]);
  const bad = [
    { kind: 'ifindex-release', runId: 'r', files: ['relative/255'] },
    { kind: 'ifindex-release', files: ['/run/zonlab/ifindex/255'] },
    {
      kind: 'zonlb-groups-remove',
      zonlb: '/z',
      bpffs: '/sys/fs/bpf',
      interfaces: ['veth0'],
      services: [{ ip: '10.0.0.1', proto: '6', port: 23 }],
    },
    { kind: 'zonlb-groups-remove', zonlb: '/z', bpffs: 'relative', interfaces: ['veth0'], services: [] },
  ];
  for (const u of bad) {
    t.deepEqual(crashed(path.dirname(b.fs), [u]).toUndo()[0]!.undo, [], JSON.stringify(u));
    rmSync(path.join(path.dirname(b.fs), 'lab.journal'));
  }
  const good = {
    kind: 'zonlb-groups-remove',
    zonlb: '/z',
    bpffs: '/sys/fs/bpf',
    interfaces: ['veth0'],
    services: [{ ip: '10.0.0.1', proto: 6, port: 23 }],
  };
  t.deepEqual(crashed(path.dirname(b.fs), [good]).toUndo()[0]!.undo, [good]);
  b.done();
});
