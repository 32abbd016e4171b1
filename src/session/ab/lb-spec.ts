import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { DriverName } from '../../drivers/driver.js';

/**
 * One side of `zonlab ab`: a driver and, for the embedded one, the build of its program
 * (`embedded:PATH.o`, loaded through ZONLAB_XDP_OBJECT), for zon-lb the binary (`zon-lb:PATH`).
 */
export interface LbSpec {
  /** As the user wrote it: what tables and records show. */
  spec: string;
  driver: DriverName;
  /** The embedded driver's object (absolute). */
  object?: string;
  /** The zon-lb binary (absolute). */
  zonlb?: string;
}

/** Why a spec is refused, and what to give instead (the command line makes it exit 2 with the option). */
export interface SpecRefusal {
  why: string;
  hint: string;
}

const FORMS = 'nft, none, embedded, embedded:PATH.o or zon-lb:PATH';

export function parseLbSpec(value: string): LbSpec | SpecRefusal {
  if (value === 'nft' || value === 'none' || value === 'embedded') return { spec: value, driver: value };
  if (value === 'zon-lb') return { why: 'zon-lb needs its binary', hint: 'zon-lb:PATH, e.g. zon-lb:target/release/zon-lb' };
  const m = /^(embedded|zon-lb):(.+)$/.exec(value);
  if (!m) return { why: 'not a load balancer', hint: `give ${FORMS}` };
  const file = path.resolve(m[2]!);
  const st = existsSync(file) ? statSync(file) : undefined;
  if (!st?.isFile()) return { why: `${m[2]} is not a file`, hint: m[1] === 'embedded' ? 'build it first, e.g. clang -O2 -g -target bpf -c bpf/zonlb_xdp.c -o base.o' : 'build zon-lb first (cargo build --release)' };
  if (m[1] === 'embedded') {
    if (!file.endsWith('.o')) return { why: `${m[2]} is not a BPF object (.o)`, hint: 'embedded:PATH.o names a build of bpf/zonlb_xdp.c' };
    return { spec: value, driver: 'embedded', object: file };
  }
  return { spec: value, driver: 'zon-lb', zonlb: file };
}

export const isRefusal = (x: LbSpec | SpecRefusal): x is SpecRefusal => 'why' in x;

/** The environment and options a side's process needs to load this load balancer. */
export function sideLaunch(lb: LbSpec): { args: string[]; env: Record<string, string> } {
  return {
    args: ['--lb', lb.driver, ...(lb.zonlb ? ['--zonlb', lb.zonlb] : [])],
    env: lb.object ? { ZONLAB_XDP_OBJECT: lb.object } : {},
  };
}
