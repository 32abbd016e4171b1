import test from 'ava';
import { execa } from 'execa';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rootSkipReason } from './audit.js';

export const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));

/**
 * The CLI as a test file runs it: results in a temporary folder of its own (removed after), no
 * colours. With root, what earlier runs left is gc's before the machine is first audited, so that
 * during the file gc removes only what its tests made.
 */
export function zonlabForTests(name: string) {
  const results = mkdtempSync(path.join(tmpdir(), `zonlab-${name}-`));
  test.after.always(() => rmSync(results, { recursive: true, force: true }));
  const env = { NO_COLOR: '1', ZONLAB_RESULTS: results };
  const zonlab = (...args: string[]) => execa(process.execPath, [cli, ...args], { reject: false, env });
  if (!rootSkipReason()) test.before(async () => { await zonlab('gc'); });
  return { env, zonlab };
}
