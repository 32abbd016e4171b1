#!/usr/bin/env zx
// Runs ava and ends with the plain line CI reads: "N passed, N failed" (ava prints no such line),
// plus the skipped tests, whose titles carry the reason.
//
// The formatter and the linter first (`npm run format` fixes what the first finds). Then three
// phases: first the files that audit nothing (unit tests, and the few that make throwaway
// namespaces of their own), several at a time; then the integration files whose labs are all
// sandboxed and whose audits each see only their own scope, side by side (they mostly wait on
// timeouts and traffic); then the other files that build labs and compare the machine before and
// after (test/integration/, test/install/), one at a time, as an audit of the whole default namespace
// sees whatever runs beside it. `npm test -- --unit`: the first phase alone. Given files or other
// options (`npm test -- dist/test/x.test.js`), one ava run of exactly those, one file at a time.
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
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
/** Of those, the files with no --host lab, whose every audit is scoped to what it started. */
const SCOPED = [
  'integration/mutants.test.js',
  'integration/examples.test.js',
  'integration/negative-control.test.js',
].map((f) => path.join('dist/test', f));
// ava gives each file a process of its own; beyond two cores, files that mostly wait on processes still gain
const UNIT_CONCURRENCY = 4;

const testFiles = (dir) =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.test.js'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();

let out = '';
function ava(args) {
  const child = spawn('npx', ['ava', '--verbose', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FORCE_COLOR: '0', TMPDIR: testTmp },
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (d) => {
      out += d;
      (stream === child.stdout ? process.stdout : process.stderr).write(d);
    });
  }
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
  const integration = [
    ['scoped integration', SCOPED, SCOPED.length],
    ['integration', audited.filter((f) => !SCOPED.includes(f)), 1],
  ];
  for (const [name, files, concurrency] of [['unit', unit, UNIT_CONCURRENCY], ...(unitOnly ? [] : integration)]) {
    console.log(`\n── ${name}: ${files.length} files, ${concurrency} at a time`);
    const t0 = Date.now();
    codes.push(await ava(['--concurrency', String(concurrency), ...files]));
    phases.push(`${name} ${Math.round((Date.now() - t0) / 1000)} s`);
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
