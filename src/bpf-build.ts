import { existsSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { describeFailure, runCommand, systemPath } from '../lab/run-command.js';
import { installHint } from './debian-packages.js';
import { findOnPath } from './host-facts.js';
import { bpfDir } from './paths.js';

/**
 * The XDP objects are built from bpf/*.c where zonlab runs (never shipped as objects): by setup in
 * a checkout, at install (postinstall) from a packed tarball, else at the first run that needs one.
 */
export interface BpfBuild {
  built: string[];
  /** bpf/NAME.o that could not be built, and why. */
  failed: string[];
}

/** Objects missing or older than their sources (or a header beside them). */
export function staleObjects(dir = bpfDir): string[] {
  if (!existsSync(dir)) return [];
  const names = readdirSync(dir);
  const newestHeader = Math.max(
    0,
    ...names.filter((f) => f.endsWith('.h')).map((f) => statSync(path.join(dir, f)).mtimeMs),
  );
  return names
    .filter((f) => f.endsWith('.c'))
    .map((f) => path.join(dir, f))
    .filter((src) => {
      const obj = src.replace(/\.c$/, '.o');
      return !existsSync(obj) || statSync(obj).mtimeMs < Math.max(statSync(src).mtimeMs, newestHeader);
    });
}

/** The kernel headers' arch folder that clang needs for asm/types.h (Debian's multiarch layout). */
function archInclude(): string {
  const triple =
    process.arch === 'arm64'
      ? 'aarch64-linux-gnu'
      : process.arch === 'x64'
        ? 'x86_64-linux-gnu'
        : `${process.arch}-linux-gnu`;
  return `/usr/include/${triple}`;
}

/** clang as every object is built, with `defines` (-DNAME=VALUE) for another build of the same source (the mutants). */
export function compileBpf(src: string, out: string, defines: string[] = []) {
  return runCommand(
    [
      'clang',
      '-O2',
      '-g',
      '-Wall',
      '-Werror',
      '-target',
      'bpf',
      `-I${archInclude()}`,
      ...defines.map((d) => `-D${d}`),
      '-c',
      src,
      '-o',
      out,
    ],
    { reject: false, timeoutMs: 120_000 },
  );
}

export async function buildBpfObjects(dir = bpfDir, log: (line: string) => void = () => {}): Promise<BpfBuild> {
  const out: BpfBuild = { built: [], failed: [] };
  const stale = staleObjects(dir);
  if (!stale.length) return out;
  if (!findOnPath('clang', { PATH: systemPath() })) {
    out.failed = stale.map(
      (src) =>
        `bpf/${path.basename(src, '.c')}.o is not built: clang is missing (${installHint(['clang', '/usr/include/bpf/bpf_helpers.h'])} in a checkout)`,
    );
    return out;
  }
  for (const src of stale) {
    const obj = src.replace(/\.c$/, '.o');
    // built beside and renamed: a run that starts meanwhile never loads half an object
    const tmp = `${obj}.tmp-${process.pid}`;
    const r = await compileBpf(src, tmp);
    if (r.failed) {
      if (existsSync(tmp)) unlinkSync(tmp);
      out.failed.push(`bpf/${path.basename(obj)} could not be built: ${describeFailure(r)}`);
      continue;
    }
    renameSync(tmp, obj);
    out.built.push(obj);
    log(`built bpf/${path.basename(obj)}`);
  }
  return out;
}
