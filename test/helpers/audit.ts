import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AUDIT_SCOPE_ENV, snapshot as machineNow, type MachineSnapshot } from '../../src/audit.js';
import { hostLabs } from '../../lab/host-state.js';
import { readEntries } from '../../lab/registry.js';
import { findOnPath, isRoot } from '../../src/host-facts.js';
import { betweenHostTests } from './host-turns.js';

export { snapshotDiff, type MachineSnapshot } from '../../src/audit.js';

/**
 * This test file's audit scope (issue 22): every zonlab process it starts inherits it, so its
 * snapshots compare what the file made, not the sandboxed labs and runs of another zonlab user.
 */
process.env[AUDIT_SCOPE_ENV] ||= `test-${process.pid}-${randomBytes(3).toString('hex')}`;

/**
 * An audit scope of its own inside this file's, for tests that run side by side: what each starts
 * carries it (the environment to give), and its snapshots leave out the other tests' sandboxes.
 * Only for sandboxed work: a --host lab changes the default namespace, which every audit sees whole.
 */
export function subScope(name: string): { env: Record<string, string>; snapshot: () => MachineSnapshot } {
  const scope = `${process.env[AUDIT_SCOPE_ENV]}-${name}`;
  return { env: { [AUDIT_SCOPE_ENV]: scope }, snapshot: () => snapshot(undefined, scope) };
}

/** Why integration tests cannot run here, or undefined when they can. */
export function rootSkipReason(): string | undefined {
  if (!isRoot()) return 'needs root';
  return findOnPath('unshare') ? undefined : 'needs unshare (util-linux)';
}

/** A process started under this file's scope (its environment carries it). */
export function ours(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .includes(`${AUDIT_SCOPE_ENV}=${process.env[AUDIT_SCOPE_ENV]}`);
  } catch {
    return false;
  }
}

/**
 * The --host labs of others on this machine, in words: a host test changes the machine's default
 * namespace and audits it whole, so it needs it to itself. A lab whose run is dead is gc's.
 */
export function othersHostLabs(): string[] {
  // an `up --host` outlives the process that made it: its registry entry keeps the scope it was made under
  const scopes = new Map(readEntries().map((e) => [e.runId, e.owner?.auditScope]));
  const mine = (scope: string | undefined) =>
    scope !== undefined &&
    (scope === process.env[AUDIT_SCOPE_ENV] || scope.startsWith(`${process.env[AUDIT_SCOPE_ENV]}-`));
  return hostLabs()
    .filter((l) => l.state === 'running' || l.state === 'up')
    .flatMap((l) =>
      l.state !== 'damaged' && !ours(l.header.pid) && !mine(scopes.get(l.header.runId))
        ? [`${l.name} (run ${l.header.runId}, pid ${l.header.pid}, ${l.state})`]
        : [],
    );
}

/** Waits (up to `ms`) until no other zonlab user has a --host lab; what is still there, else undefined. */
export async function waitForDefaultNamespace(ms = 180_000): Promise<string | undefined> {
  const deadline = Date.now() + ms;
  let others = othersHostLabs();
  while (others.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    others = othersHostLabs();
  }
  return others.length ? `another zonlab user holds the machine's default namespace: ${others.join(', ')}` : undefined;
}

/**
 * The machine now, as a test audits it: the machine's default namespace is compared whole, and
 * a --host lab changes it, so the snapshot is taken when none is up: not while a host test of
 * another of this tree's test processes runs (test/helpers/host-turns.ts), nor while another
 * user's host lab is there (waiting up to `ms`, synchronously, as the tests take it). What was
 * made in a sandbox is scoped already.
 */
export function snapshot(ms = 180_000, scope?: string): MachineSnapshot {
  return betweenHostTests(() => {
    const deadline = Date.now() + ms;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    while (othersHostLabs().length && Date.now() < deadline) Atomics.wait(pause, 0, 0, 500);
    return machineNow(scope);
  });
}
