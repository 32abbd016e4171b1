#!/usr/bin/env zx
// Runs ava and ends with the plain line CI reads: "N passed, N failed" (ava prints no such line),
// plus the skipped tests, whose titles carry the reason.
import { spawn } from 'node:child_process';

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

const count = (re) => { const m = re.exec(out); return m ? Number(m[1]) : 0; };
const passed = count(/(\d+) tests? passed/);
const failed = count(/(\d+) tests? failed/) + count(/(\d+) uncaught exceptions?/) + count(/(\d+) unhandled rejections?/) + count(/(\d+) tests? remained pending/) + count(/(\d+) known failures?/) * 0;
const skipped = count(/(\d+) tests? skipped/);
const timedOut = /Timed out while running tests/.test(out) ? 1 : 0;
const skips = out.split('\n').filter((l) => /^\s*- \[skip\]/.test(l)).map((l) => l.trim());
if (skips.length) console.log(`\nskipped, with their reasons:\n${skips.map((s) => `  ${s}`).join('\n')}`);
const failedTotal = failed + timedOut + (code !== 0 && failed === 0 && timedOut === 0 ? 1 : 0);
console.log(`\n${passed} passed, ${failedTotal} failed, ${skipped} skipped`);
process.exit(failedTotal ? 1 : 0);
