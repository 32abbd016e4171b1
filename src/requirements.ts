import { existsSync } from 'node:fs';
import type { Feature } from './doctor/probes.js';
import { installHint } from './debian-packages.js';
import { findOnPath, isRoot } from './host-facts.js';
import type { LabPlan } from './plan/plan.js';
import { CHECK_KIND_SPECS, type DriverName, type Scenario } from './scenario/types.js';
import { DRIVERS } from './drivers/kinds.js';

export function toolsFor(s: Scenario, mode: 'sandbox' | 'host', driver: DriverName): string[] {
  const tools = new Set(['ip', 'ss', 'sysctl']);
  if (s.lb.config) for (const t of DRIVERS[driver].tools) tools.add(t);
  if (mode === 'sandbox') for (const t of ['unshare', 'nsenter', 'mount', 'setpriv']) tools.add(t);
  if (s.qdiscs?.length) tools.add('tc');
  if (s.veths.some((v) => Object.keys(v.a.ethtool).length || Object.keys(v.b.ethtool).length)) tools.add('ethtool');
  for (const c of s.checks) for (const t of CHECK_KIND_SPECS[c.kind].tools(c)) tools.add(t);
  return [...tools];
}

/** The kernel features a scenario needs, known before anything is created. */
export function featuresOf(s: Scenario): Feature[] {
  const f = new Set<Feature>(['netns-veth']);
  const v6 = [
    ...s.veths.flatMap((v) => [...v.a.addresses, ...v.b.addresses]),
    ...s.addresses.map((a) => a.cidr),
    ...(s.devices ?? []).flatMap((d) => d.addresses),
  ].some((c) => c.family === 6);
  if (v6) f.add('ipv6');
  for (const d of s.devices ?? []) f.add(d.kind);
  if (s.qdiscs?.length) f.add('tbf');
  return [...f];
}

/** What this machine lacks for the plan (root, tools): each a reason a person can act on. */
export function missingRequirements(plan: LabPlan): string[] {
  const reasons: string[] = [];
  if (!isRoot()) reasons.push('needs root (network namespaces, veths and XDP need CAP_NET_ADMIN and CAP_SYS_ADMIN)');
  const missingTools = toolsFor(plan.scenario, plan.mode, plan.driver).filter((t) => !findOnPath(t));
  if (missingTools.length) reasons.push(`missing tools: ${missingTools.join(', ')} (${installHint(missingTools)})`);
  return reasons;
}

/** XDP helper objects the plan attaches that setup has not built: a requirement, not a crash. */
export function unbuiltObjects(plan: LabPlan): string[] {
  return plan.steps.flatMap((st) =>
    st.kind === 'xdp-helper' && !existsSync(st.object) ? [`${st.object} is not built (run npm run setup)`] : [],
  );
}
