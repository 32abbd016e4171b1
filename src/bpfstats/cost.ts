import type { ProgInfo } from './prog-info.js';

/**
 * The load balancer's own cost: for each of its XDP programs the kernel counts runs and the time
 * spent in them (BPF run-time statistics), so ns per run is the program alone, not the stack.
 */

/** One XDP program the load balancer attached, and what identifies its code. */
export type LbProgram = Pick<ProgInfo, 'id' | 'name' | 'tag' | 'jitedBytes' | 'xlatedInsns' | 'verifiedInsns'> & {
  /** Where it is attached: "veth0@default", "veth1@zone1". */
  interfaces: string[];
};

/** What one counted throughput sample cost each program (by id). */
export interface CostSample {
  check: string;
  repetition: number;
  programs: Record<string, { runs: number; runTimeNs: number }>;
}

export interface LbCostRecord {
  programs: LbProgram[];
  samples: CostSample[];
  /** Why nothing was measured (no XDP program of the load balancer, bpf() refused). */
  unavailable?: string;
}

export interface Counts {
  runs: bigint;
  runTimeNs: bigint;
}

/** The measurements a throughput sample gains: ns per run over all programs, and the runs counted. */
export const COST_MEASUREMENT = 'lb_ns_per_packet';
export const RUNS_MEASUREMENT = 'lb_runs';

/** Differences of the counters over a window; a program that ran no packet adds nothing. */
export function windowCost(
  before: Map<number, Counts>,
  after: Map<number, Counts>,
): { programs: CostSample['programs']; measurements: Record<string, number> } {
  const programs: CostSample['programs'] = {};
  let runs = 0n;
  let time = 0n;
  for (const [id, a] of after) {
    const b = before.get(id);
    if (!b) continue;
    const dr = a.runs - b.runs;
    const dt = a.runTimeNs - b.runTimeNs;
    programs[id] = { runs: Number(dr), runTimeNs: Number(dt) };
    runs += dr;
    time += dt;
  }
  const measurements: Record<string, number> =
    runs > 0n ? { [COST_MEASUREMENT]: Number(time) / Number(runs), [RUNS_MEASUREMENT]: Number(runs) } : {};
  return { programs, measurements };
}

/** "zonlb_xdp id 42 tag 0123456789abcdef, 1234 B jited, 456 insns on veth0@default, veth1@zone1" */
export function describeProgram(
  p: Pick<LbProgram, 'name' | 'tag' | 'jitedBytes' | 'xlatedInsns'> & { id?: number; interfaces?: string[] },
): string {
  const where = p.interfaces?.length ? ` on ${p.interfaces.join(', ')}` : '';
  return `${p.name}${p.id !== undefined ? ` id ${p.id}` : ''} tag ${p.tag}, ${p.jitedBytes} B jited, ${p.xlatedInsns} insns${where}`;
}

export function formatNs(ns: number | undefined): string {
  if (ns === undefined || !Number.isFinite(ns)) return '-';
  return ns >= 100 ? `${ns.toFixed(0)} ns` : `${ns.toFixed(1)} ns`;
}
