import { statSync, type Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { systemPath } from '../lab/run-command.js';

export interface HostFacts {
  kernel: string;
  cpuModel: string;
  cpus: number;
  arch: string;
}

export function hostFacts(): HostFacts {
  const cpus = os.cpus();
  return { kernel: os.release(), cpuModel: cpus[0]?.model.trim() ?? 'unknown', cpus: cpus.length, arch: os.arch() };
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/** A program on PATH, found the way execvp would find it. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  // found where lab/run-command.ts will run them from
  for (const dir of systemPath(env.PATH ?? '').split(':')) {
    if (!dir) continue;
    const full = path.join(dir, name);
    const st = statSafe(full);
    if (st && st.isFile() && (st.mode & 0o111) !== 0) return full;
  }
  return undefined;
}

function statSafe(p: string): Stats | undefined {
  try { return statSync(p); } catch { return undefined; }
}
