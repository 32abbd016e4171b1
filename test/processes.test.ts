import test from 'ava';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../src/paths.js';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const files = ['src', 'lab']
  .flatMap((d) => sourceFiles(path.join(projectRoot, d)))
  .map((f) => ({ file: path.relative(projectRoot, f), text: readFileSync(f, 'utf8') }));

// src/traffic/main.ts is a program of its own, run inside lab namespaces: it imports nothing of zonlab's
const TRAFFIC_TOOL = path.join('src', 'traffic', 'main.ts');

test('one place spawns: lab/run-command.ts alone imports child_process (or execa, zx), so --verbose counts every process', (t) => {
  const spawning = files
    .filter(({ text }) => /^import (?!type )[^;]*from ['"](node:child_process|child_process|execa|zx)['"]/m.test(text))
    .map((f) => f.file);
  t.deepEqual(spawning, [path.join('lab', 'run-command.ts')]);
});

test('one place listens for signals: lab/signals.ts', (t) => {
  const listening = files
    .filter(
      ({ file, text }) =>
        file !== TRAFFIC_TOOL &&
        /process\.(on|once|addListener|prependListener|prependOnceListener)\(\s*(['"`]SIG|sig\b)/.test(text),
    )
    .map((f) => f.file);
  t.deepEqual(listening, [path.join('lab', 'signals.ts')]);
});
