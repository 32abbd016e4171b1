import test from 'ava';
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

/**
 * The CLI as a test file runs it: results in a temporary folder of its own (removed after), no
 * colours. No gc of the whole machine before the file (issue 22): it removed another user's lab left
 * up with `up --host`; a test's audit compares what the test made, and a test that needs gc names
 * its own runs (`gc --id`).
 */
export function zonlabForTests(name: string) {
  const results = mkdtempSync(path.join(tmpdir(), `zonlab-${name}-`));
  test.after.always(() => rmSync(results, { recursive: true, force: true }));
  const env = { NO_COLOR: '1', ZONLAB_RESULTS: results };
  const zonlab = (...args: string[]) => execa(process.execPath, [cli, ...args], { reject: false, env });
  return { env, zonlab };
}
