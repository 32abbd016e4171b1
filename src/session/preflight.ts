import { insideSandbox } from '../../lab/sandbox.js';
import { buildBpfObjects } from '../bpf-build.js';
import { describeFeature, probe } from '../doctor/probes.js';
import type { Driver } from '../drivers/driver.js';
import { cannotServe, resolveDriver } from '../drivers/kinds.js';
import { MissingRequirement } from '../errors.js';
import { bpfDir } from '../paths.js';
import { planLab, type LabPlan } from '../plan/plan.js';
import { featuresOf, missingRequirements, unbuiltObjects } from '../requirements.js';
import type { DriverChoice, Scenario } from '../scenario/types.js';
import { newRunId } from './run-id.js';
import { eventGaps } from '../events/schedule.js';

export interface PreflightOptions {
  lb?: DriverChoice;
  zonlb?: string;
  host: boolean;
  /** The id a parent gave this run (an A/B side); a new one otherwise. */
  runId?: string;
  /** Where the first use's build of the XDP objects says so (undefined: quiet). */
  progress?(line: string): void;
}

/** Resolves the driver and plans the lab once; everything that must hold before anything is created is checked, a skip (exit 4) lists all of it. */
export async function preflight(s: Scenario, o: PreflightOptions): Promise<{ driver: Driver; plan: LabPlan }> {
  // an installed zonlab without clang at install time builds its XDP objects at first use
  const build = await buildBpfObjects(bpfDir, o.progress);
  const driver = await resolveDriver(o.lb ?? s.lb.driver, { zonlbPath: o.zonlb });
  const plan = planLab(s, { driver: driver.name, mode: o.host ? 'host' : 'sandbox', runId: o.runId ?? newRunId() });
  const found = [
    ...missingRequirements(plan),
    ...(s.lb.config ? await driver.missing(s.lb.config) : []),
    ...cannotServe(s, driver.name),
    ...eventGaps(s, driver),
    ...unbuiltObjects(plan),
  ];
  // a failed build says why better than "not built"; two ends of one program are one reason
  const whyNot = (r: string) =>
    build.failed.find((f) => f.startsWith(`bpf/${/bpf\/([\w-]+\.o) is not built/.exec(r)?.[1]} `)) ?? r;
  const reasons = [...new Set(found.map(whyNot))];
  // without root the missing root is the reason already; inside the sandbox the machine was probed before it was entered
  if (!reasons.some((r) => r.startsWith('needs root')) && !insideSandbox()) {
    for (const r of await Promise.all(featuresOf(s).map((f) => probe(f, { remembered: true }))))
      if (!r.ok) reasons.push(`the kernel lacks ${describeFeature(r.feature)} (${r.detail})`);
  }
  if (reasons.length) throw new MissingRequirement(reasons);
  return { driver, plan };
}
