import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rootSkipReason } from './audit.js';

/** The project root, seen from dist/test/helpers. */
export const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));

const busySource = path.join(projectRoot, 'test', 'fixtures', 'bpf', 'zonlb_xdp_busy.c');

function hasClang(): boolean {
  try {
    execFileSync('clang', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Why a test of the slower build cannot run here (root, the shipped object, clang), or undefined. */
export function busyBuildSkipReason(): string | undefined {
  return (
    rootSkipReason() ??
    (!existsSync(path.join(projectRoot, 'bpf', 'zonlb_xdp.o'))
      ? 'bpf/zonlb_xdp.o is not built (npm run setup)'
      : !hasClang()
        ? 'needs clang to build the slower variant'
        : undefined)
  );
}

/** The embedded program with `loops` empty bpf_loop rounds before each map lookup: more work per packet, same driver. */
export function buildBusyObject(out: string, loops: number): void {
  execFileSync('clang', [
    '-O2',
    '-g',
    '-target',
    'bpf',
    '-I/usr/include/x86_64-linux-gnu',
    `-DBUSY_LOOPS=${loops}`,
    '-c',
    busySource,
    '-o',
    out,
  ]);
}
