import test from 'ava';
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { baselineFromRecord, saveBaseline } from '../../src/baseline/store.js';
import { recordExit } from '../../src/compare/exit-code.js';
import { childExit, ExitCode, signalExit, worstExit } from '../../src/errors.js';
import { record } from '../helpers/record.js';

const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

test('one order of outcomes, worst first: signal, bug, teardown, bad input, failure, regression, skip, pass', (t) => {
  const order = [
    signalExit('SIGTERM'),
    ExitCode.internal,
    ExitCode.teardownFailed,
    ExitCode.badInput,
    ExitCode.checkFailed,
    ExitCode.regressed,
    ExitCode.skipped,
    ExitCode.passed,
  ];
  for (let i = 0; i < order.length; i++) {
    for (let j = i + 1; j < order.length; j++) {
      t.is(worstExit([order[j]!, order[i]!]), order[i]!, `${order[i]} is worse than ${order[j]}`);
      t.is(worstExit([order[i]!, order[j]!]), order[i]!);
    }
  }
  t.is(worstExit([]), ExitCode.passed);
  t.is(worstExit([0, 6]), 6, 'an unknown code counts as a bug');
});

test('a process ended by a signal exits 128 + its number', (t) => {
  t.is(signalExit('SIGINT'), 130);
  t.is(signalExit('SIGTERM'), 143);
  t.is(signalExit('SIGHUP'), 129);
  t.is(childExit(null, 'SIGKILL'), 137);
  t.is(childExit(null, 'SIGTERM'), 143);
  t.is(childExit(3, null), 3);
});

test('a run whose teardown left something behind exits 5, even when its checks passed', (t) => {
  const left = { ...record('t', [1e9]), teardown: { failures: ['undo "create namespace zone1": busy'] } };
  t.is(recordExit(left, undefined), ExitCode.teardownFailed);
  t.is(recordExit({ ...left, status: 'failed' }, undefined), ExitCode.teardownFailed);
  t.is(recordExit(record('p', [1e9]), undefined), ExitCode.passed);
});

/** Three shards' results: one failed run, one passed run whose baseline was measured elsewhere, one with leftovers. */
async function merge(records: ReturnType<typeof record>[], withBaseline: boolean): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-merge-'));
  try {
    records.forEach((r, i) => {
      const sub = path.join(dir, `shard-${i}`, r.scenario.name);
      mkdirSync(sub, { recursive: true });
      writeFileSync(path.join(sub, `${r.time.replace(/[:.]/g, '-')}-${r.id}.json`), JSON.stringify(r));
    });
    if (withBaseline)
      saveBaseline(
        { ...baselineFromRecord(records[1]!), fingerprint: { ...records[1]!.fingerprint, kernel: 'another kernel' } },
        path.join(dir, 'into'),
      );
    const r = await execa(
      process.execPath,
      [
        cli,
        'results',
        'merge',
        ...records.map((_, i) => path.join(dir, `shard-${i}`)),
        '--into',
        path.join(dir, 'into'),
        ...(withBaseline ? ['--baseline'] : []),
      ],
      { reject: false, env: { NO_COLOR: '1', ZONLAB_RESULTS: path.join(dir, 'none') } },
    );
    return r.exitCode!;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const scenario = (r: ReturnType<typeof record>, name: string) => ({ ...r, scenario: { ...r.scenario, name } });

test('results merge orders outcomes as run --all does: not comparable (bad input) outranks a failed check', async (t) => {
  const failed = scenario(record('f', [1e9], 'failed'), 'a');
  const elsewhere = scenario(record('e', [1e9, 1e9, 1e9]), 'b');
  t.is(await merge([failed, elsewhere], true), ExitCode.badInput);
});

test('results merge: a run that left something behind outranks a failed check', async (t) => {
  const failed = scenario(record('f', [1e9], 'failed'), 'a');
  const leftovers = { ...scenario(record('l', [1e9]), 'b'), teardown: { failures: ['undo "x": busy'] } };
  t.is(await merge([failed, leftovers], false), ExitCode.teardownFailed);
});
