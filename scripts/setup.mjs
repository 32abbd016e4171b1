#!/usr/bin/env zx
// Everything `zonlab run` and the tests need on a fresh Debian 12 machine (as root), and quick
// when it is all there: Debian packages only when a tool is missing, then the TypeScript build and
// the BPF objects.
import { existsSync, readFileSync } from 'node:fs';

$.verbose = false;

/** tool (or file) → the Debian package that brings it; zonlab's hints read the same map. chromium: the HTML report's test renders it in a real browser. */
const needs = JSON.parse(readFileSync(new URL('./debian-packages.json', import.meta.url), 'utf8'));

// npm puts node_modules/.bin first on PATH, and there ava's @vercel/nft ships an `nft` that would
// pass for nftables: look where zonlab runs system tools from (lab/run-command.ts systemPath)
const systemPath = (process.env.PATH ?? '')
  .split(':')
  .filter((d) => d && !d.includes('node_modules'))
  .join(':');
const missing = [];
for (const [what, pkg] of Object.entries(needs)) {
  const found = what.startsWith('/') ? existsSync(what) : await which(what, { nothrow: true, path: systemPath });
  if (!found && !missing.includes(pkg)) missing.push(pkg);
}
if (missing.length) {
  if (process.getuid?.() !== 0) {
    console.error(
      `zonlab setup: missing Debian packages: ${missing.join(' ')}\n  as root: apt-get update && apt-get install -y ${missing.join(' ')}`,
    );
    // 4: the exit code of a skip, as zonlab's (src/errors.ts ExitCode.skipped)
    process.exit(4);
  }
  console.log(`zonlab setup: installing ${missing.join(' ')}`);
  // iperf3's package asks whether to start a daemon; never on a lab machine
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await $({ env, stdio: 'inherit' })`apt-get update -qq`;
  await $({ env, stdio: 'inherit' })`apt-get install -y -qq --no-install-recommends ${missing}`;
}

await $({ stdio: 'inherit' })`npx tsc -p tsconfig.json`;
await $`chmod +x dist/src/cli.js`;
await $({ stdio: 'inherit' })`node scripts/build-bpf.mjs`;
console.log('zonlab setup: ready');
