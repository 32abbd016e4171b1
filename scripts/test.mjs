#!/usr/bin/env zx
// Runs ava and ends with the plain line CI reads: "N passed, N failed" (ava prints no such line),
// plus the skipped tests, whose titles carry the reason.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';

// what the tests leave in the temporary folder is a leak like any other
const temporaries = () => new Set(readdirSync(tmpdir()).filter((f) => f.startsWith('zonlab-') && !f.endsWith('.lock')));
const tmpBefore = temporaries();

await $({ stdio: 'inherit' })`npx tsc -p tsconfig.json`;
await $`chmod +x dist/src/cli.js`;

const args = ['ava', '--verbose', ...process.argv.slice(3)];
const child = spawn('npx', args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
let out = '';
for (const stream of [child.stdout, child.stderr]) {
  stream.setEncoding('utf8');
  stream.on('data', (d) => { out += d; (stream === child.stdout ? process.stdout : process.stderr).write(d); });
}
const code = await new Promise((resolve) => child.on('close', resolve));

// ava's verbose reporter marks each test: ✔ passed, ✘ failed (also a crashed file or a time-out),
// - [skip]; its own summary leaves out the passed count when something failed
const lines = out.split('\n');
const passed = lines.filter((l) => /^\s*✔ /.test(l)).length;
const failed = lines.filter((l) => /^\s*✘ /.test(l)).length;
const skips = lines.filter((l) => /^\s*- \[skip\]/.test(l)).map((l) => l.trim());
const skipped = skips.length;
if (skips.length) console.log(`\nskipped, with their reasons:\n${skips.map((s) => `  ${s}`).join('\n')}`);
const leftInTmp = [...temporaries()].filter((f) => !tmpBefore.has(f));
if (leftInTmp.length) console.log(`\n✘ the tests left ${leftInTmp.length} folder(s) in ${tmpdir()}: ${leftInTmp.join(' ')}`);
const failedTotal = failed + (code !== 0 && failed === 0 ? 1 : 0) + (leftInTmp.length ? 1 : 0);
console.log(`\n${passed} passed, ${failedTotal} failed, ${skipped} skipped`);
process.exit(failedTotal ? 1 : 0);
