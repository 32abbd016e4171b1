import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { DRIVERS, type DriverName } from '../../drivers/kinds.js';

/**
 * One side of `zonlab ab`: a driver and, where its spec takes one (kinds.ts), its build: for the
 * embedded driver an object (`embedded:PATH.o`, loaded through ZONLAB_XDP_OBJECT), for zon-lb the
 * binary (`zon-lb:PATH`).
 */
export interface LbSpec {
  /** As the user wrote it: what tables and records show. */
  spec: string;
  driver: DriverName;
  /** The embedded driver's object (absolute). */
  object?: string;
  /** The zon-lb binary (absolute). */
  zonlb?: string;
  /** This side's own scenario parameters (`--a-set`/`--b-set`), after the ones both take. */
  set?: string[];
}

/** Why a spec is refused, and what to give instead (the command line makes it exit 2 with the option). */
export interface SpecRefusal {
  why: string;
  hint: string;
}

const specs = Object.values(DRIVERS);
const forms = [
  ...specs.filter((d) => !d.build?.required).map((d) => d.name),
  ...specs.flatMap((d) => (d.build ? [`${d.name}:PATH${d.build.suffix?.ext ?? ''}`] : [])),
];
const FORMS = `${forms.slice(0, -1).join(', ')} or ${forms.at(-1)}`;

export function parseLbSpec(value: string): LbSpec | SpecRefusal {
  const [name = '', file] = splitSpec(value);
  const d = specs.find((x) => x.name === name);
  if (!d || file === '') return { why: 'not a load balancer', hint: `give ${FORMS}` };
  if (file === undefined)
    return d.build?.required
      ? { why: `${name} needs its ${d.build.noun}`, hint: `${name}:PATH, e.g. ${d.build.example}` }
      : { spec: value, driver: d.name };
  if (!d.build) return { why: `${name} takes no build`, hint: `give ${name} alone` };
  const full = path.resolve(file);
  const st = existsSync(full) ? statSync(full) : undefined;
  if (!st?.isFile()) return { why: `${file} is not a file`, hint: d.build.unbuilt };
  const { suffix } = d.build;
  if (suffix && !full.endsWith(suffix.ext))
    return { why: `${file} is not a ${d.build.noun} (${suffix.ext})`, hint: suffix.hint };
  return { spec: value, driver: d.name, [d.build.field]: full };
}

/** "zon-lb:/a:b" → ["zon-lb", "/a:b"]; a name alone has no file. */
function splitSpec(value: string): [string, string?] {
  const at = value.indexOf(':');
  return at < 0 ? [value] : [value.slice(0, at), value.slice(at + 1)];
}

export const isRefusal = (x: LbSpec | SpecRefusal): x is SpecRefusal => 'why' in x;

/** The environment and options a side's process needs to load this load balancer. */
export function sideLaunch(lb: LbSpec): { args: string[]; env: Record<string, string> } {
  return {
    args: [
      '--lb',
      lb.driver,
      ...(lb.zonlb ? ['--zonlb', lb.zonlb] : []),
      ...(lb.set ?? []).flatMap((kv) => ['--set', kv]),
    ],
    env: lb.object ? { ZONLAB_XDP_OBJECT: lb.object } : {},
  };
}
