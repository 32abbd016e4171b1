import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mergeAbRecords } from '../../../src/commands/actions/ab-merge.js';
import { readAbRecords, writeAbRecord, type AbRecord } from '../../../src/session/ab/record.js';

const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-ab-merge-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

const side = (spec: string) => ({
  spec,
  driver: 'embedded',
  version: spec,
  runId: 'r',
  status: 'passed',
  programs: [],
});
const rec = (machine: string, id: string, exitCode: number, time: string): AbRecord => ({
  schema: 1,
  kind: 'ab',
  id,
  time,
  durationMs: 1,
  scenario: { name: 'lb-bench', hash: 'h', params: {} },
  machine,
  host: { kernel: 'k', cpuModel: 'c', cpus: 2, arch: 'x64' },
  a: side('embedded:base.o'),
  b: side('embedded:head.o'),
  plan: { repeat: 5, max: 5, looks: [5], maxDrop: 0.1 },
  rounds: 5,
  stoppedBy: 'fixed',
  samples: { a: [], b: [] },
  verdicts: [],
  status: 'passed',
  exitCode,
});

test("shards' A/B records are joined as they are: one per machine, never re-paired; the worst exit code; a second merge copies nothing again", (t) => {
  const [s1, s2, into] = ['shard-1', 'shard-2', 'merged'].map((d) => path.join(dir, d));
  writeAbRecord(rec('runner-1', 'aaaa', 0, '2026-12-02T10:00:00.000Z'), s1!);
  writeAbRecord(rec('runner-1', 'bbbb', 3, '2026-12-02T11:00:00.000Z'), s1!);
  writeAbRecord(rec('runner-2', 'cccc', 0, '2026-12-02T11:30:00.000Z'), s2!);
  const m = mergeAbRecords([s1!, s2!], into!);
  t.is(m.copied, 3);
  // the latest of each scenario, pair and machine: runner-1's second (exit 3), runner-2's
  t.deepEqual(m.records.map((r) => `${r.machine} ${r.id}`).sort(), ['runner-1 bbbb', 'runner-2 cccc']);
  t.is(m.exitCode, 3);
  t.is(readAbRecords(into!).records.length, 3);
  t.is(mergeAbRecords([s1!, s2!], into!).copied, 0);
});
