import test from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rootSkipReason } from './audit.js';

/**
 * Serial tests that run unless `skip` gives a reason: then each is declared test.skip with the
 * reason in its title (ava cannot skip from inside a test, and a skip never passes silently).
 */
export function gated(skip: string | undefined) {
  return {
    skip,
    integration: skip ? test.skip : test.serial,
    /** The same gate for tests that may run beside the file's others (no lab, no machine-wide audit). */
    concurrent: skip ? test.skip : test,
    title: (t: string) => (skip ? `${t} [skipped: ${skip}]` : t),
    /**
     * A folder in $TMPDIR for the file's tests, removed after them. Made only when they run: ava runs
     * no hook in a file whose tests are all skipped, so a folder made anyway would be left behind.
     */
    scratch(prefix: string): string {
      if (skip) return path.join(tmpdir(), `${prefix}not-made`);
      const dir = mkdtempSync(path.join(tmpdir(), prefix));
      test.after.always(() => rmSync(dir, { recursive: true, force: true }));
      return dir;
    },
  };
}

/** Serial tests that need root (and unshare): the integration tests' gate. */
export const rootGated = () => gated(rootSkipReason());
