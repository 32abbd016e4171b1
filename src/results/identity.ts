import { describeProgram, type LbProgram } from '../bpfstats/cost.js';
import type { RunRecord } from './record.js';

/** The load balancer under test: shown beside a comparison, never a reason to refuse one. */
export interface LbIdentity {
  driver: string;
  version: string;
  programs: Pick<LbProgram, 'name' | 'tag' | 'jitedBytes' | 'xlatedInsns'>[];
}

export function identityOf(r: Pick<RunRecord, 'driver' | 'lbCost'>): LbIdentity {
  return { driver: r.driver.name, version: r.driver.version, programs: (r.lbCost?.programs ?? []).map(({ name, tag, jitedBytes, xlatedInsns }) => ({ name, tag, jitedBytes, xlatedInsns })) };
}

export function sameIdentity(a: LbIdentity, b: LbIdentity): boolean {
  return describeIdentity(a) === describeIdentity(b);
}

/** "embedded zonlab-xdp (…) · zonlb_xdp tag 0123…, 1234 B jited, 456 insns" */
export function describeIdentity(i: LbIdentity): string {
  return [`${i.driver} ${i.version}`, ...i.programs.map((p) => describeProgram(p))].join(' · ');
}

/** The load balancer on each side of a comparison: the same, or what changed. */
export function identityLines(i: { baseline: LbIdentity; current: LbIdentity; same: boolean }): string[] {
  if (i.same) return [`load balancer: ${describeIdentity(i.current)} (the same on both sides)`];
  return [`load balancer, baseline: ${describeIdentity(i.baseline)}`, `load balancer, current:  ${describeIdentity(i.current)}`];
}
