import { execFileSync } from 'node:child_process';

export { snapshot, snapshotDiff, type MachineSnapshot } from '../../src/audit.js';

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** Why integration tests cannot run here, or undefined when they can. */
export function rootSkipReason(): string | undefined {
  if (!isRoot()) return 'needs root';
  try {
    execFileSync('unshare', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'needs unshare (util-linux)';
  }
  return undefined;
}
