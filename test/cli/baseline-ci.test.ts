import test from 'ava';
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunRecord } from '../../src/results/record.js';
import { record } from '../helpers/record.js';

/**
 * The example workflow on a fresh fork (issue 13), with records in place of the shards' runs:
 * no baseline yet passes and says so; the records become the baselines; a real drop then fails
 * the verdict with exit 3.
 */
const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-ci-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
// the checkout's results/ (where committed baselines live) is empty, as on a fresh fork
const zonlab = (...args: string[]) =>
  execa(process.execPath, [cli, ...args], {
    reject: false,
    cwd: dir,
    env: { NO_COLOR: '1', GITHUB_ACTIONS: 'true', ZONLAB_RESULTS: path.join(dir, 'results') },
  });

function shard(name: string, r: RunRecord): string {
  const sub = path.join(dir, name, 'results', r.scenario.name);
  mkdirSync(sub, { recursive: true });
  writeFileSync(path.join(sub, `${r.time.replace(/[:.]/g, '-')}-${r.id}.json`), JSON.stringify(r));
  return path.join(dir, name, 'results');
}

test.serial(
  'fresh fork: the verdict passes, says NO BASELINE YET (log, annotation, JUnit, summary) and keeps the records',
  async (t) => {
    const r = await zonlab(
      'results',
      'merge',
      shard('first', record('b0000001', [20e9, 20.2e9, 19.9e9, 20.1e9, 20e9])),
      '--into',
      'merged',
      '--baseline',
      '--junit',
      'junit.xml',
      '--markdown',
      'summary.md',
    );
    t.is(r.exitCode, 0, r.stderr);
    t.regex(r.stdout, /no baseline yet/);
    t.regex(r.stderr, /NO BASELINE YET for veth-netns \(nft\): nothing was compared/);
    t.regex(r.stderr, /^::warning title=zonlab: no baseline yet::/m);
    t.regex(
      readFileSync(path.join(dir, 'junit.xml'), 'utf8'),
      /name="throughput vs baseline"><skipped message="no baseline yet/,
    );
    t.regex(
      readFileSync(path.join(dir, 'summary.md'), 'utf8'),
      /no baseline yet \| zonlab baseline save --all --from DIR/,
    );
    t.is(readdirSync(path.join(dir, 'merged', 'veth-netns')).length, 1);
  },
);

test.serial('the kept records become the baselines: baseline save --all --from DIR', async (t) => {
  const r = await zonlab('baseline', 'save', '--all', '--from', 'merged');
  t.is(r.exitCode, 0, r.stderr);
  t.deepEqual(readdirSync(path.join(dir, 'results', 'baselines')), ['veth-netns--nft.json']);
  t.regex(r.stdout, /saved .*veth-netns--nft\.json from run b0000001/);
});

test.serial('then a real drop fails the verdict with exit 3, and an unchanged run passes', async (t) => {
  const slow = await zonlab(
    'results',
    'merge',
    shard('slow', record('s0000001', [14e9, 14.1e9, 13.9e9, 14e9, 14.2e9])),
    '--into',
    'merged-slow',
    '--baseline',
  );
  t.is(slow.exitCode, 3, slow.stdout + slow.stderr);
  t.regex(slow.stdout, /regressed/);
  const same = await zonlab(
    'results',
    'merge',
    shard('same', record('u0000001', [20.1e9, 20e9, 19.8e9, 20.2e9, 20e9])),
    '--into',
    'merged-same',
    '--baseline',
  );
  t.is(same.exitCode, 0, same.stdout + same.stderr);
  t.notRegex(same.stderr, /NO BASELINE/);
});
