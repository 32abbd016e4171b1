import test, { type ExecutionContext } from 'ava';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { othersHostLabs, rootSkipReason, waitForDefaultNamespace } from './audit.js';
import { asHostTest } from './host-turns.js';

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

/**
 * Serial tests that must own the machine's default namespace (--host labs, audited whole): skipped
 * with `skip` (root's by default) or while another zonlab user has a host lab when the file loads; each test first
 * waits for one that appeared meanwhile to go, and fails naming it if it stays (issue 22). Then it
 * runs as a host test (test/helpers/host-turns.ts): no other test process of this tree snapshots
 * the machine meanwhile.
 */
export function hostGated(skip: string | undefined = rootSkipReason()) {
  const others = skip ? [] : othersHostLabs();
  const g = gated(
    skip ??
      (others.length ? `another zonlab user holds the machine's default namespace: ${others.join(', ')}` : undefined),
  );
  const integration = (title: string, fn: (t: ExecutionContext) => Promise<void> | void) =>
    g.integration(title, async (t: ExecutionContext) => {
      const busy = await waitForDefaultNamespace();
      if (busy) t.fail(busy);
      else await asHostTest(async () => fn(t));
    });
  return { ...g, integration };
}
