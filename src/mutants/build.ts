import path from 'node:path';
import { describeFailure } from '../../lab/run-command.js';
import { compileBpf } from '../bpf-build.js';
import { bpfDir } from '../paths.js';
import type { Mutant } from './catalogue.js';

/**
 * Each mutant built from the shipped source into DIR (a scratch folder the caller removes): never
 * beside the shipped object, which stays the one a run loads unless ZONLAB_XDP_OBJECT names another.
 */
export async function buildMutants(mutants: readonly Mutant[], dir: string): Promise<Map<string, string>> {
  const src = path.join(bpfDir, 'zonlb_xdp.c');
  const objects = new Map<string, string>();
  for (const m of mutants) {
    const out = path.join(dir, `zonlb_xdp-${m.name}.o`);
    const r = await compileBpf(src, out, [`ZONLAB_MUTANT=${m.id}`]);
    if (r.failed)
      throw new Error(`mutant ${m.name} (-DZONLAB_MUTANT=${m.id}) could not be built: ${describeFailure(r)}`);
    objects.set(m.name, out);
  }
  return objects;
}
