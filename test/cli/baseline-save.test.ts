import test from 'ava';
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { autoRepeat } from '../../src/commands/actions/run.js';
import type { RunRecord } from '../../src/results/record.js';
import { record } from '../helpers/record.js';

const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-baseline-save-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));
const results = path.join(dir, 'results');
const zonlab = (...args: string[]) =>
  execa(process.execPath, [cli, ...args], { reject: false, cwd: dir, env: { NO_COLOR: '1', ZONLAB_RESULTS: results } });

function put(folder: string, r: RunRecord): string {
  const sub = path.join(dir, folder, r.scenario.name);
  mkdirSync(sub, { recursive: true });
  const file = path.join(sub, `${r.time.replace(/[:.]/g, '-')}-${r.id}.json`);
  writeFileSync(file, JSON.stringify(r));
  return file;
}

test.serial(
  'baseline save refuses a run with fewer than 3 samples of a throughput check, and says how to get more',
  async (t) => {
    const file = put('one', record('one00001', [20e9]));
    const r = await zonlab('baseline', 'save', 'veth-netns', '--from', file);
    t.is(r.exitCode, 2, r.stdout + r.stderr);
    t.regex(r.stderr, /at least 3 samples of each throughput check/);
    t.regex(r.stderr, /iperf3 has 1 sample/);
    t.regex(r.stderr, /--repeat 10 \(or --repeat auto/);
    t.regex(r.stderr, /--force/);
    t.throws(() => readdirSync(path.join(results, 'baselines')));
    const all = await zonlab('baseline', 'save', '--all', '--from', path.join(dir, 'one'));
    t.is(all.exitCode, 2, all.stdout + all.stderr);
    t.regex(all.stderr, /run one00001 \(veth-netns, nft\): iperf3 has 1 sample/);
  },
);

test.serial('with --force it saves it anyway; three samples need no --force', async (t) => {
  const forced = await zonlab(
    'baseline',
    'save',
    'veth-netns',
    '--from',
    put('forced', record('one00002', [20e9, 20.1e9])),
    '--force',
  );
  t.is(forced.exitCode, 0, forced.stderr);
  t.deepEqual(readdirSync(path.join(results, 'baselines')), ['veth-netns--nft.json']);
  const three = await zonlab(
    'baseline',
    'save',
    'veth-netns',
    '--from',
    put('three', record('thr00001', [20e9, 20.1e9, 19.9e9])),
  );
  t.is(three.exitCode, 0, three.stderr);
  t.regex(three.stdout, /from run thr00001/);
});

test('--baseline without --repeat samples as --repeat auto does, unless the scenario repeats 3 times or more', (t) => {
  t.true(autoRepeat({ repeat: undefined, baseline: true }, { repeat: 1 }));
  t.false(autoRepeat({ repeat: undefined, baseline: true }, { repeat: 5 }));
  t.false(
    autoRepeat({ repeat: 1, baseline: true }, { repeat: 1 }),
    'an explicit --repeat 1 is what the user asked for',
  );
  t.false(autoRepeat({ repeat: undefined, baseline: false }, { repeat: 1 }));
  t.true(autoRepeat({ repeat: 'auto', baseline: false }, { repeat: 1 }));
});
