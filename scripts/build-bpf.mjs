#!/usr/bin/env node
// Builds every bpf/*.c into bpf/NAME.o with clang (objects are never committed or shipped).
// `--postinstall` (npm's postinstall of a packed zonlab): never fails the install; without clang
// it says so, and zonlab builds the objects at the first run that needs them.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const postinstall = process.argv.includes('--postinstall');
const builder = path.join(root, 'dist', 'src', 'bpf-build.js');
// a fresh checkout's `npm install` runs this before the TypeScript is built: setup builds them later
if (!existsSync(builder))
  process.exit(postinstall ? 0 : (console.error('zonlab: build the TypeScript first (npx tsc -p tsconfig.json)'), 1));
const { buildBpfObjects } = await import(builder);
const r = await buildBpfObjects(path.join(root, 'bpf'), (line) => console.log(line));
for (const f of r.failed) console.error(`zonlab: ${f}`);
if (r.failed.length && postinstall)
  console.error('zonlab: the XDP objects will be built at the first run that needs them (clang and libbpf-dev)');
process.exit(r.failed.length && !postinstall ? 1 : 0);
