#!/usr/bin/env zx
// Builds every bpf/*.c into bpf/NAME.o with clang; objects are never committed.
import { readdirSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';

$.verbose = false;
const dir = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '..', 'bpf');
const headers = readdirSync(dir).filter((f) => f.endsWith('.h')).map((f) => statSync(path.join(dir, f)).mtimeMs);
const newestHeader = Math.max(0, ...headers);
for (const src of readdirSync(dir).filter((f) => f.endsWith('.c'))) {
  const obj = path.join(dir, src.replace(/\.c$/, '.o'));
  const srcTime = Math.max(statSync(path.join(dir, src)).mtimeMs, newestHeader);
  if (existsSync(obj) && statSync(obj).mtimeMs >= srcTime) continue;
  const r = await $({ nothrow: true })`clang -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c ${path.join(dir, src)} -o ${obj}`;
  if (r.exitCode !== 0) {
    console.error(`zonlab: building bpf/${src} failed:\n${r.stderr}`);
    process.exit(1);
  }
  console.log(`built bpf/${path.basename(obj)}`);
}
