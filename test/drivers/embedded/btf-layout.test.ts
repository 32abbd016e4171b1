import type { ExecutionContext } from 'ava';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compileBpf } from '../../../src/bpf-build.js';
import { Btf } from '../../../src/drivers/embedded/btf-layout.js';
import { OBJECT } from '../../../src/drivers/embedded/index.js';
import {
  checkLayout,
  COUNTERS,
  layoutMismatches,
  LAYOUT,
  MAX_BACKENDS,
  MAX_SERVICES,
} from '../../../src/drivers/embedded/maps.js';
import { findOnPath } from '../../../src/host-facts.js';
import { bpfDir } from '../../../src/paths.js';
import { gated } from '../../helpers/gated.js';

/**
 * The offsets zonlab writes the maps with (maps.ts LAYOUT) against the BTF clang wrote for the
 * object: the built program, and a copy of bpf/ with one struct edited, which must be refused.
 */
const built = gated(existsSync(OBJECT) ? undefined : 'bpf/zonlb_xdp.o is not built (npm run setup)');
built.concurrent(built.title("the built object's structs and map sizes are those zonlab writes and reads"), (t) => {
  const btf = Btf.ofObject(OBJECT);
  t.deepEqual(layoutMismatches(btf), []);
  t.is(btf.struct('svc')!.members.b!.nelems, MAX_BACKENDS);
  t.is(btf.maxEntries('services'), MAX_SERVICES);
  t.deepEqual(Object.keys(btf.struct('stats')!.members), [...COUNTERS], "the counters, in zonlab's order");
  t.deepEqual(checkLayout(OBJECT), {}, 'every map read');
});

const edited = gated(findOnPath('clang') ? undefined : 'needs clang');

/** bpf/ copied to a scratch folder, each header edited as `edits` say (file → [from, to]), and built. */
async function editedBuild(t: ExecutionContext, edits: Record<string, [string, string][]>): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-btf-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(bpfDir, dir, { recursive: true, filter: (f) => !f.endsWith('.o') });
  for (const [file, pairs] of Object.entries(edits)) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    writeFileSync(
      path.join(dir, file),
      pairs.reduce((s, [from, to]) => (t.true(s.includes(from), `${file}: ${from}`), s.replace(from, to)), text),
    );
  }
  const object = path.join(dir, 'zonlb_xdp.o');
  const r = await compileBpf(path.join(dir, 'zonlb_xdp.c'), object);
  t.false(r.failed, r.stderr);
  return object;
}

const ONE_COUNTER_MORE: [string, string] = ['\t__u64 tc_replies;', '\t__u64 tc_replies;\n\t__u64 new_counter;'];

edited.concurrent(
  edited.title(
    'a struct edited in bpf/ without maps.ts (a field moved, MAX_BACKENDS raised) is refused when the object loads, naming the field',
  ),
  async (t) => {
    // has_src and flags before port: the same size, fields in other places; a counter more
    const object = await editedBuild(t, {
      'zonlb_structs.h': [
        [
          '\t__be16 port;\n\t__u8 has_src;\n\t__u8 flags; /* B_DSR_L2 */',
          '\t__u8 has_src;\n\t__u8 flags;\n\t__be16 port;',
        ],
        ONE_COUNTER_MORE,
      ],
      'zonlb_consts.h': [['#define MAX_BACKENDS 64', '#define MAX_BACKENDS 128']],
    });
    const problems = layoutMismatches(Btf.ofObject(object));
    t.true(
      problems.includes(`backend.port is at 34, zonlab writes it at ${LAYOUT.backend.fields.port}`),
      problems.join('\n'),
    );
    t.true(problems.includes('backend.has_src is at 32, zonlab writes it at 34'), problems.join('\n'));
    t.true(problems.includes(`svc.b holds 128, zonlab counts ${MAX_BACKENDS}`), problems.join('\n'));
    t.true(problems.includes('struct stats has new_counter, which zonlab does not know'), problems.join('\n'));
    t.throws(() => checkLayout(object), {
      message: /does not have the map layout zonlab writes .*backend\.port is at 34/,
    });
  },
);

edited.concurrent(
  edited.title(
    'an object whose counters are laid out otherwise (an older build) loads, its counters left unread and said why',
  ),
  async (t) => {
    const object = await editedBuild(t, { 'zonlb_structs.h': [ONE_COUNTER_MORE] });
    t.deepEqual(checkLayout(object), {
      counters: `struct stats is ${LAYOUT.stats.size + 8} bytes, zonlab writes ${LAYOUT.stats.size}; struct stats has new_counter, which zonlab does not know`,
    });
  },
);
