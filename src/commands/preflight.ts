import { existsSync } from 'node:fs';
import { insideSandbox } from '../../lab/sandbox.js';
import type { Driver } from '../drivers/driver.js';
import { resolveDriver } from '../drivers/registry.js';
import { MissingRequirement } from '../errors.js';
import { hostFacts } from '../host-facts.js';
import { bpfDir } from '../paths.js';
import { planScenario } from '../plan/plan.js';
import { missingRequirements } from '../requirements.js';
import { describeFeature, probe } from '../doctor/probes.js';
import { featuresOf } from '../doctor/scenario-needs.js';
import type { Scenario } from '../scenario/types.js';
import type { CommonArgs } from './common.js';

/** Everything that must hold before anything is created: a skip (exit 4) lists all of it. */
export async function preflight(s: Scenario, a: CommonArgs): Promise<Driver> {
  const driver = await resolveDriver(a.lb ?? s.lb.driver, { zonlbPath: a.zonlb });
  const reasons = [...missingRequirements(s, a.host ? 'host' : 'sandbox'), ...(s.lb.config ? await driver.missing(s.lb.config) : [])];
  const steps = planScenario(s, { kernel: hostFacts().kernel, driver: driver.name, bpfDir });
  for (const st of steps) if (st.kind === 'xdp-helper' && !existsSync(st.object)) reasons.push(`${st.object} is not built (run npm run setup)`);
  // probing needs root; without it the missing root is the reason already
  // the probes ran before the sandbox was entered; its copy of the machine has the same kernel
  if (!reasons.some((r) => r.startsWith('needs root')) && !insideSandbox()) {
    for (const r of await Promise.all(featuresOf(s).map((f) => probe(f, { remembered: true })))) if (!r.ok) reasons.push(`the kernel lacks ${describeFeature(r.feature)} (${r.detail})`);
  }
  if (reasons.length) throw new MissingRequirement(reasons);
  return driver;
}
