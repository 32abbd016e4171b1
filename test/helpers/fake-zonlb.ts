import type { ExecutionContext } from 'ava';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A scripted zon-lb (a Node script run by this Node) in a folder of its own, removed after the test: the folder and the binary. */
export function fakeZonlb(t: ExecutionContext, script: string): { dir: string; bin: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-fake-zonlb-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const bin = path.join(dir, 'zon-lb');
  writeFileSync(bin, `#!${process.execPath}\n${script}`);
  chmodSync(bin, 0o755);
  return { dir, bin };
}
