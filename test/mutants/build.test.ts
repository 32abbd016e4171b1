import path from 'node:path';
import { libbpf } from '../../src/drivers/embedded/libbpf.js';
import { buildMutants } from '../../src/mutants/build.js';
import { MUTANTS } from '../../src/mutants/catalogue.js';
import { buildBusyObject, busyBuildSkipReason } from '../helpers/busy-build.js';
import { gated } from '../helpers/gated.js';

// Every build the tests load must pass the verifier. A refactor that grew a tc program's stack by
// 16 bytes left the shipped object loadable and three mutant builds and the slower build refused
// ("combined stack size of 2 calls is 528"): it showed only as six integration failures, minutes in.
const gate = gated(busyBuildSkipReason());
const dir = gate.scratch('zonlab-builds-');

/** Loads the object and unloads it: '' when the kernel took it, else the verifier's reason. */
function refusal(object: string): string {
  const lb = libbpf();
  const obj = lb.openFile(object);
  try {
    const rc = lb.load(obj);
    const log = lb.takeLog();
    if (rc === 0) return '';
    const why = log.split('\n').filter((l) => /too large|invalid|error|unreachable|limit/i.test(l));
    return `${lb.strerror(-rc)}: ${why.slice(-3).join(' | ') || log.slice(-400)}`;
  } finally {
    lb.close(obj);
  }
}

gate.concurrent(gate.title('the kernel takes every mutant build'), async (t) => {
  const objects = await buildMutants(MUTANTS, dir);
  t.is(objects.size, MUTANTS.length);
  for (const [name, object] of objects) t.is(refusal(object), '', `mutant ${name}`);
});

gate.concurrent(gate.title('the kernel takes the slower build (the A/B and cost tests’ B side)'), (t) => {
  const object = path.join(dir, 'busy.o');
  buildBusyObject(object, 16);
  t.is(refusal(object), '');
});
