import { existsSync } from 'node:fs';
import { insideSandbox } from '../../lab/sandbox.js';
import type { Driver } from '../drivers/driver.js';
import { resolveDriver } from '../drivers/registry.js';
import { MissingRequirement } from '../errors.js';
import { hostFacts } from '../host-facts.js';
import { bpfDir } from '../paths.js';
import { buildBpfObjects } from '../bpf-build.js';
import { cannotServe, planScenario } from '../plan/plan.js';
import { missingRequirements } from '../requirements.js';
import { describeFeature, probe } from '../doctor/probes.js';
import { featuresOf } from '../doctor/scenario-needs.js';
import type { Scenario } from '../scenario/types.js';
import type { CommonArgs } from './common.js';

/** Everything that must hold before anything is created: a skip (exit 4) lists all of it. */
export async function preflight(s: Scenario, a: CommonArgs): Promise<Driver> {
  // an installed zonlab without clang at install time builds its XDP objects at first use
  const build = await buildBpfObjects(bpfDir, a.json ? undefined : (line) => process.stderr.write(`zonlab: ${line} (first use)\n`));
  const driver = await resolveDriver(a.lb ?? s.lb.driver, { zonlbPath: a.zonlb });
  const found = [...missingRequirements(s, a.host ? 'host' : 'sandbox'), ...(s.lb.config ? await driver.missing(s.lb.config) : []), ...cannotServe(s, driver.name)];
  const steps = planScenario(s, { kernel: hostFacts().kernel, driver: driver.name, bpfDir });
  for (const st of steps) if (st.kind === 'xdp-helper' && !existsSync(st.object)) found.push(`${st.object} is not built (run npm run setup)`);
  // a failed build says why better than "not built"; two ends of one program are one reason
  const whyNot = (r: string) => build.failed.find((f) => f.startsWith(`bpf/${/bpf\/([\w-]+\.o) is not built/.exec(r)?.[1]} `)) ?? r;
  const reasons = [...new Set(found.map(whyNot))];
  // probing needs root; without it the missing root is the reason already
  // the probes ran before the sandbox was entered; its copy of the machine has the same kernel
  if (!reasons.some((r) => r.startsWith('needs root')) && !insideSandbox()) {
    for (const r of await Promise.all(featuresOf(s).map((f) => probe(f, { remembered: true })))) if (!r.ok) reasons.push(`the kernel lacks ${describeFeature(r.feature)} (${r.detail})`);
  }
  if (reasons.length) throw new MissingRequirement(reasons);
  return driver;
}
