import test from 'ava';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  baselineFile,
  baselineFromRecord,
  listBaselines,
  loadBaseline,
  saveBaseline,
} from '../../src/baseline/store.js';
import { record } from '../helpers/record.js';

/** Baselines: one file per scenario and driver under results/baselines/, meant to be committed. */
const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-baseline-store-'));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

test('a baseline is taken from a run: its samples, statistics, fingerprint and load balancer', (t) => {
  const r = record('run1', [1e9, 2e9, 3e9]);
  const b = baselineFromRecord(r);
  t.like(b, {
    schema: 1,
    scenario: 'veth-netns',
    driver: 'nft',
    fromRun: 'run1',
    identity: { driver: 'nft', version: 'v', programs: [] },
  });
  t.deepEqual(b.samples, r.samples);
  t.deepEqual(b.stats, r.stats);
  t.deepEqual(b.fingerprint, r.fingerprint);
  t.false(Number.isNaN(Date.parse(b.saved)));
});

test('saved at baselines/SCENARIO--DRIVER.json, replaced by the next save, read back as saved', (t) => {
  const sub = path.join(dir, 'save');
  const first = baselineFromRecord(record('run1', [1e9]));
  const file = saveBaseline(first, sub);
  t.is(file, path.join(sub, 'baselines', 'veth-netns--nft.json'));
  t.is(baselineFile('veth-netns', 'nft', sub), file);
  t.deepEqual(loadBaseline('veth-netns', 'nft', sub), first);
  saveBaseline({ ...first, fromRun: 'run2' }, sub);
  t.is(loadBaseline('veth-netns', 'nft', sub)!.fromRun, 'run2');
  t.deepEqual(readdirSync(path.join(sub, 'baselines')), ['veth-netns--nft.json'], 'no temporary file left');
  t.is(loadBaseline('veth-netns', 'embedded', sub), undefined, 'another driver has none');
});

test('listing skips what cannot be read (compare reports it), and an absent folder is no baseline', (t) => {
  const sub = path.join(dir, 'list');
  saveBaseline(baselineFromRecord(record('run1', [1e9])), sub);
  saveBaseline({ ...baselineFromRecord(record('run2', [1e9])), driver: 'embedded' }, sub);
  writeFileSync(path.join(sub, 'baselines', 'broken--nft.json'), '{');
  mkdirSync(path.join(sub, 'baselines', 'notes'));
  t.deepEqual(
    listBaselines(sub)
      .map((b) => `${b.scenario}/${b.driver}`)
      .sort(),
    ['veth-netns/embedded', 'veth-netns/nft'],
  );
  t.deepEqual(listBaselines(path.join(dir, 'none')), []);
  t.false(existsSync(path.join(dir, 'none')));
});
