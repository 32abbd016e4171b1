#!/usr/bin/env zx
// Runs ava and ends with the plain line CI reads: "N passed, N failed" (ava prints no such line),
// plus the skipped tests, whose titles carry the reason.
//
// The formatter and the linter first (`npm run format` fixes what the first finds). Then the files
// that audit nothing (unit tests, and the few that make throwaway namespaces of their own), several
// at a time. Then the integration files (test/integration/, test/install/), which build labs and
// compare the machine before and after, in three ava runs side by side: the files with --host tests
// (hostGated) one at a time, as two host labs of one scenario cannot be up at once; the sandboxed
// files that compare throughput across runs one at a time, as one's load lands in another's samples;
// the other sandboxed files several at a time (they mostly wait: timeouts, signals, servers that never
// start). A sandboxed lab is invisible outside its namespaces, and each file's audits see only what it
// started (its audit scope); a --host test changes the default namespace, so no other file snapshots
// the machine while one runs (test/helpers/host-turns.ts). `npm test -- --unit`: the unit files
// alone. Given files or other options (`npm test -- dist/test/x.test.js`), one ava run of exactly
// those, one file at a time.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// What the tests leave in the temporary folder is a leak like any other. They get a folder of their
// own as TMPDIR: another zonlab user's folders in /tmp, made while the tests run, are not theirs.
// World-writable and sticky as /tmp is: a test runs zonlab as an unprivileged user too.
const testTmp = mkdtempSync(path.join(tmpdir(), 'zonlab-tests-'));
chmodSync(testTmp, 0o1777);

await $({ stdio: 'inherit' })`npx tsc -p tsconfig.json`;
await $`chmod +x dist/src/cli.js`;

/** The folders under dist/test whose files audit the machine. */
const AUDITED = ['integration', 'install'];
/**
 * The sandboxed files that compare throughput or cost per packet across runs. They run one at a
 * time, beside the others: ab's series under a CPU hog, beside regression's --repeat auto, made it
 * take 10 samples of its 12 where 5 do on their own (twice in three runs).
 */
const THROUGHPUT = ['ab', 'regression', 'lb-cost'].map((f) => path.join('dist/test/integration', `${f}.test.js`));
/**
 * The other sandboxed files, longest first (alone on a quiet machine: 133, 99, 48, 38, 25, 24, 23 s),
 * so that the short ones fill in at the end; any other file follows them.
 */
const LONGEST = [
  'mutants',
  'examples',
  'behaviour',
  'zonlb-double',
  'negative-control',
  'run-all',
  'zonlb-ifindex',
].map((f) => path.join('dist/test/integration', `${f}.test.js`));
// ava gives each file a process of its own; beyond two cores, files that mostly wait on processes still gain
const UNIT_CONCURRENCY = 4;
const SANDBOXED_CONCURRENCY = 3;

const testFiles = (dir) =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.js'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
/** A file with tests that own the machine's default namespace (--host labs): they are declared hostGated. */
const hasHostTests = (f) => readFileSync(f, 'utf8').includes('hostGated(');

/** Every line the runs printed, whole: the tally counts them. */
let out = '';
/** Prints a child's output a whole line at a time, so that two runs side by side do not cut each other's lines. */
function relay(stream, to) {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (d) => {
    const whole = (partial + d).split('\n');
    partial = whole.pop();
    if (!whole.length) return;
    const text = `${whole.join('\n')}\n`;
    out += text;
    to.write(text);
  });
  stream.on('end', () => {
    if (!partial) return;
    out += `${partial}\n`;
    to.write(`${partial}\n`);
  });
}
function ava(args) {
  const child = spawn('npx', ['ava', '--verbose', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0', TMPDIR: testTmp },
  });
  relay(child.stdout, process.stdout);
  relay(child.stderr, process.stderr);
  return new Promise((resolve) => child.on('close', resolve));
}

/** The formatter and the linter over the whole tree, each one line of the tally. */
async function lint() {
  for (const [name, argv] of [
    ['prettier --check (the formatter)', ['prettier', '--check', '--log-level', 'warn', '.']],
    ['eslint (the linter)', ['eslint', '.']],
  ]) {
    const r = await $({ nothrow: true, quiet: true })`npx ${argv}`;
    const line = `  ${r.exitCode === 0 ? '✔' : '✘'} lint › ${name}`;
    out += `${line}\n`;
    console.log(r.exitCode === 0 ? line : `${line}\n${r.stdout}${r.stderr}`);
  }
}

/** Runs ava over `files`, `concurrency` at a time: its exit code and seconds. */
async function timed(files, concurrency) {
  const t0 = Date.now();
  const code = await ava(['--concurrency', String(concurrency), ...files]);
  return { code, seconds: Math.round((Date.now() - t0) / 1000) };
}

const unitOnly = process.argv.slice(3).includes('--unit');
const given = process.argv.slice(3).filter((a) => a !== '--unit');
const codes = [];
const started = Date.now();
const phases = [];
if (given.length) {
  codes.push(await ava(given));
} else {
  console.log('\n── lint');
  await lint();
  const all = testFiles('dist/test');
  const audited = all.filter((f) => AUDITED.some((d) => f.startsWith(path.join('dist/test', d) + path.sep)));
  const unit = all.filter((f) => !audited.includes(f));
  console.log(`\n── unit: ${unit.length} files, ${UNIT_CONCURRENCY} at a time`);
  const u = await timed(unit, UNIT_CONCURRENCY);
  codes.push(u.code);
  phases.push(`unit ${u.seconds} s`);
  if (!unitOnly) {
    const host = audited.filter(hasHostTests);
    const throughput = audited.filter((f) => THROUGHPUT.includes(f));
    const rank = (f) => (LONGEST.includes(f) ? LONGEST.indexOf(f) : LONGEST.length);
    const sandboxed = audited
      .filter((f) => !host.includes(f) && !throughput.includes(f))
      .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
    const runs = [
      ['host files', host, 1],
      ['throughput files', throughput, 1],
      ['sandboxed files', sandboxed, SANDBOXED_CONCURRENCY],
    ];
    console.log(
      `\n── integration, side by side: ${runs.map(([name, files, n]) => `${files.length} ${name} ${n === 1 ? 'one' : n} at a time`).join('; ')}`,
    );
    const t0 = Date.now();
    const done = await Promise.all(runs.map(([, files, n]) => timed(files, n)));
    codes.push(...done.map((r) => r.code));
    phases.push(
      `integration ${Math.round((Date.now() - t0) / 1000)} s (${runs.map(([name], i) => `${name} ${done[i].seconds} s`).join(', ')})`,
    );
  }
}

// ava's verbose reporter marks each test: ✔ passed, ✘ failed (also a crashed file or a time-out),
// - [skip]; its own summary leaves out the passed count when something failed
const lines = out.split('\n');
const passed = lines.filter((l) => /^\s*✔ /.test(l)).length;
const failed = lines.filter((l) => /^\s*✘ /.test(l)).length;
const skips = lines.filter((l) => /^\s*- \[skip\]/.test(l)).map((l) => l.trim());
const skipped = skips.length;
if (skips.length) console.log(`\nskipped, with their reasons:\n${skips.map((s) => `  ${s}`).join('\n')}`);
const leftInTmp = readdirSync(testTmp);
if (leftInTmp.length)
  console.log(`\n✘ the tests left ${leftInTmp.length} file(s) in ${testTmp}: ${leftInTmp.join(' ')}`);
rmSync(testTmp, { recursive: true, force: true });
const crashed = codes.filter((c) => c !== 0).length && failed === 0 ? 1 : 0;
const failedTotal = failed + crashed + (leftInTmp.length ? 1 : 0);
if (phases.length) console.log(`\n${phases.join(', ')}; ${Math.round((Date.now() - started) / 1000)} s in all`);
console.log(`\n${passed} passed, ${failedTotal} failed, ${skipped} skipped`);
process.exit(failedTotal ? 1 : 0);
