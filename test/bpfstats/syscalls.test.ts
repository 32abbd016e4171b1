import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { bpfStatsCalls } from '../../src/bpfstats/syscalls.js';
import { libbpf } from '../../src/drivers/embedded/libbpf.js';
import { bpfDir } from '../../src/paths.js';
import { isRoot } from '../../src/host-facts.js';
import { statsAreOn } from '../helpers/bpf-stats.js';
import { gated } from '../helpers/gated.js';

const object = path.join(bpfDir, 'xdp_pass.o');
const { integration: rootTest, title } = gated(
  !isRoot() ? 'needs root' : !existsSync(object) ? 'bpf/xdp_pass.o is not built (npm run setup)' : undefined,
);

// a program loaded and never attached: it goes with its fd, nothing on the machine changes
rootTest(
  title(
    'bpf(2) through libbpf: prog info agrees with bpftool, runs and run time counted only while the stats fd is open',
  ),
  (t) => {
    const calls = bpfStatsCalls();
    const bpf = libbpf();
    const obj = bpf.openFile(object);
    t.teardown(() => bpf.close(obj));
    t.is(bpf.load(obj), 0, bpf.takeLog());
    const fd = bpf.programFd(obj, 'xdp_pass');
    const packet = Buffer.alloc(64);
    const out = Buffer.alloc(128);
    const before = calls.progInfo(fd);
    t.deepEqual(calls.programNames(object), ['xdp_pass']);

    const previous = statsAreOn();
    const stats = calls.enableRunTimeStats();
    t.true(statsAreOn(), 'on while the fd is open');
    for (let i = 0; i < 10; i++) t.is(bpf.testRun(fd, packet, out).err, 0);
    const during = calls.progInfo(fd);
    calls.close(stats);
    t.is(statsAreOn(), previous, 'back as it was once the fd is closed (the kernel counts the open fds)');
    for (let i = 0; i < 10; i++) bpf.testRun(fd, packet, out);
    const after = calls.progInfo(fd);

    t.is(during.runCnt - before.runCnt, 10n);
    t.true(during.runTimeNs > before.runTimeNs);
    if (!previous) t.is(after.runCnt, during.runCnt, 'statistics off: runs are not counted');
    const shown = JSON.parse(
      execFileSync('bpftool', ['prog', 'show', 'id', String(after.id), '--json'], { encoding: 'utf8' }),
    ) as Record<string, unknown>;
    t.like(shown, {
      id: after.id,
      type: 'xdp',
      name: 'xdp_pass',
      tag: after.tag,
      bytes_jited: after.jitedBytes,
      bytes_xlated: after.xlatedInsns * 8,
      run_cnt: Number(after.runCnt),
    });
    t.true(after.verifiedInsns > 0);
    const id = calls.progFdById(after.id);
    t.is(calls.progInfo(id).tag, after.tag, 'the same program found by its id');
    calls.close(id);
  },
);

test('bpf(2) errors name the call and the errno', (t) => {
  t.throws(() => bpfStatsCalls().progFdById(0x7ffffff0), { message: /BPF_PROG_GET_FD_BY_ID 2147483632: / });
});
