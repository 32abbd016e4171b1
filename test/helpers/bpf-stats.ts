import path from 'node:path';
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
