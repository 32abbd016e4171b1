import { statSync, type Stats } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCommand, systemPath } from '../lab/run-command.js';

export interface HostFacts {
  kernel: string;
  /** uname -v: the kernel's build (two builds of one release can differ); absent in older records. */
  kernelVersion?: string;
  cpuModel: string;
  cpus: number;
  arch: string;
}

export function hostFacts(): HostFacts {
  const cpus = os.cpus();
  return {
    kernel: os.release(),
    kernelVersion: os.version(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpus: cpus.length,
    arch: os.arch(),
  };
}

/** The versions of the tools a throughput figure depends on (the first line each prints; "not installed" when absent). */
export interface ToolVersions {
  iperf3: string;
  iperf: string;
  nft: string;
}

const VERSION_ARGV: Record<keyof ToolVersions, string[]> = {
  iperf3: ['iperf3', '--version'],
  iperf: ['iperf', '-v'],
  nft: ['nft', '--version'],
};

let versions: Promise<ToolVersions> | undefined;

/** Asked once per process (three short commands, side by side); never throws. */
export function toolVersions(): Promise<ToolVersions> {
  versions ??= (async () => {
    const entries = await Promise.all(
      Object.entries(VERSION_ARGV).map(async ([name, argv]) => {
        const r = await runCommand(argv, { reject: false, timeoutMs: 5_000 });
        // iperf 2 prints its version on stderr and exits 1
        const line =
          `${r.stdout}\n${r.stderr}`
            .split('\n')
            .map((l) => l.trim())
            .find((l) => l) ?? '';
        return [name, r.exitCode === 127 ? 'not installed' : line || 'unknown'] as const;
      }),
    );
    return Object.fromEntries(entries) as unknown as ToolVersions;
  })();
  return versions;
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
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}
