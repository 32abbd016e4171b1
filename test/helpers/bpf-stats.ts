import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { AUDIT_SCOPE_ENV } from '../../lab/registry.js';
import { libbpf } from '../../src/drivers/embedded/libbpf.js';
import { bpfStatsCalls } from '../../src/bpfstats/syscalls.js';
import { bpfDir } from '../../src/paths.js';

/**
 * Whether BPF run-time statistics are on anywhere on the machine: a throwaway program run once
 * counts its run only then. (kernel.bpf_stats_enabled shows only what the sysctl itself set, not
 * the BPF_ENABLE_STATS fds that are open.)
 */
export function statsAreOn(): boolean {
  const bpf = libbpf();
  const calls = bpfStatsCalls();
  const obj = bpf.openFile(path.join(bpfDir, 'xdp_pass.o'));
  try {
    if (bpf.load(obj)) throw new Error(bpf.takeLog());
    const fd = bpf.programFd(obj, 'xdp_pass');
    const before = calls.progInfo(fd).runCnt;
    const r = bpf.testRun(fd, Buffer.alloc(64), Buffer.alloc(128));
    if (r.err) throw new Error(`BPF_PROG_TEST_RUN: ${bpf.strerror(r.err)}`);
    return calls.progInfo(fd).runCnt > before;
  } finally {
    bpf.close(obj);
  }
}

/** kernel.bpf_stats_enabled: the machine's own setting, on whatever fds are open. */
export function statsSysctl(): boolean {
  return readFileSync('/proc/sys/kernel/bpf_stats_enabled', 'utf8').trim() !== '0';
}

/**
 * The processes that hold BPF run-time statistics on (an open BPF_ENABLE_STATS fd, `anon_inode:bpf-stats`),
 * those started under this file's audit scope and the others: another zonlab user's run turns them
 * on for its own throughput checks, and they are machine-wide.
 */
export function statsHolders(scope = process.env[AUDIT_SCOPE_ENV]): { ours: number[]; others: number[] } {
  const out = { ours: [] as number[], others: [] as number[] };
  for (const pid of readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map(Number)) {
    try {
      const fds = readdirSync(`/proc/${pid}/fd`);
      if (!fds.some((fd) => readlinkSync(`/proc/${pid}/fd/${fd}`) === 'anon_inode:bpf-stats')) continue;
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      (scope && env.includes(`${AUDIT_SCOPE_ENV}=${scope}`) ? out.ours : out.others).push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}
