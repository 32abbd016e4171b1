import path from 'node:path';
import { driverNeeds } from '../drivers/kinds.js';
import type { DriverName, NetnsRef, Scenario } from '../scenario/types.js';
import { sysctlInterface } from '../../lab/net.js';
import { markerOf, type Step } from '../../lab/steps.js';
import { hostFacts } from '../host-facts.js';
import { bpfDir } from '../paths.js';

export interface PlanFacts {
  /** `uname -r`, e.g. "6.18.44". */
  kernel: string;
  driver: DriverName;
  /** Host runs mark what they create so `zonlab gc` can find it without the journal. */
  marker?: string;
  bpfDir: string;
}

/** Orders the changes so each namespace's links, addresses and routes batch together; the driver's needs and the load balancer come last. Pure. */
export function planScenario(s: Scenario, facts: PlanFacts): Step[] {
  const created = new Set<string>();
  const key = (ns: NetnsRef, dev: string) => `${ns ?? ''}/${dev}`;
  // An object inside a lab namespace or on a lab link goes away with it: no undo of its own.
  const goesWithLab = (ns: NetnsRef, dev?: string) =>
    ns !== undefined || (dev !== undefined && created.has(key(ns, dev)));
  const ends = s.veths.flatMap((v) => [v.a, v.b]);
  const devices = s.devices ?? [];
  for (const e of ends) created.add(key(e.netns, e.name));
  for (const d of devices) created.add(key(d.netns, d.name));

  /** Links, addresses and states of one namespace: consecutive `ip` steps that run as one batch. */
  const linksOf = (ns: NetnsRef): Step[] => {
    const out: Step[] = [];
    const here = <T extends { netns: NetnsRef }>(xs: T[]) => xs.filter((x) => x.netns === ns);
    if (ns !== undefined) {
      if (facts.marker) out.push({ kind: 'netns-mark', netns: ns, marker: facts.marker });
      out.push({ kind: 'link-up', netns: ns, dev: 'lo' });
    }
    for (const d of here(devices)) out.push({ kind: 'device-add', device: d });
    if (facts.marker)
      for (const x of [...here(ends), ...here(devices)])
        out.push({ kind: 'link-mark', netns: ns, dev: x.name, marker: facts.marker });
    for (const e of here(ends))
      if (e.mtu !== undefined) out.push({ kind: 'link-mtu', netns: ns, dev: e.name, mtu: e.mtu });
    for (const x of [...here(ends), ...here(devices)]) {
      for (const c of x.addresses)
        out.push({
          kind: 'addr-add',
          netns: ns,
          dev: x.name,
          cidr: `${c.address}/${c.prefix}`,
          family: c.family,
          goesWithLab: true,
        });
    }
    for (const a of here(s.addresses))
      out.push({
        kind: 'addr-add',
        netns: ns,
        dev: a.dev,
        cidr: `${a.cidr.address}/${a.cidr.prefix}`,
        family: a.cidr.family,
        goesWithLab: goesWithLab(ns, a.dev),
      });
    for (const x of [...here(ends), ...here(devices)]) out.push({ kind: 'link-up', netns: ns, dev: x.name });
    // a route needs only its own namespace's links and addresses: it joins their batch
    for (const r of here(s.routes)) {
      const to = r.to === 'default' ? 'default' : `${r.to.address}/${r.to.prefix}`;
      out.push({
        kind: 'route-add',
        netns: r.netns,
        to,
        family: r.family,
        via: r.via,
        dev: r.dev,
        goesWithLab: goesWithLab(r.netns, r.dev),
      });
    }
    return out;
  };

  const spaces: NetnsRef[] = [undefined, ...s.namespaces];
  const needs = s.lb.config && facts.driver !== 'none' ? driverNeeds(facts.driver, s) : undefined;
  const steps: Step[] = [
    // chosen before any link is made, so that the links are made with them
    ...(needs?.ifindexes ? [{ kind: 'ifindex-reserve', ...needs.ifindexes } as Step] : []),
    ...s.namespaces.map((ns): Step => ({ kind: 'netns-add', netns: ns })),
    ...s.veths.map((v): Step => ({
      kind: 'veth-add',
      a: { netns: v.a.netns, name: v.a.name },
      b: { netns: v.b.netns, name: v.b.name },
    })),
    ...spaces.flatMap(linksOf),
  ];
  for (const end of ends)
    if (Object.keys(end.ethtool).length)
      steps.push({ kind: 'ethtool', netns: end.netns, dev: end.name, features: end.ethtool });
  for (const ns of spaces) {
    for (const c of s.sysctls.filter((x) => x.netns === ns))
      steps.push({
        kind: 'sysctl',
        netns: c.netns,
        key: c.key,
        value: c.value,
        goesWithLab: goesWithLab(c.netns, sysctlInterface(c.key)),
      });
  }
  for (const q of s.qdiscs ?? [])
    steps.push({
      kind: 'qdisc',
      netns: q.netns,
      dev: q.dev,
      rate: q.rate,
      burst: q.burst,
      latency: q.latency,
      goesWithLab: goesWithLab(q.netns, q.dev),
    });
  for (const ns of spaces) {
    for (const end of ends.filter((e) => e.netns === ns)) {
      if (!end.xdp) continue;
      if (end.xdp.belowKernel && !kernelBelow(facts.kernel, end.xdp.belowKernel)) continue;
      steps.push({
        kind: 'xdp-helper',
        netns: end.netns,
        dev: end.name,
        object: path.join(facts.bpfDir, `${end.xdp.program}.o`),
        section: end.xdp.section,
      });
    }
  }
  if (s.lb.config && needs) {
    // what the driver brings for itself, in the load balancer's namespace, unless the scenario set it already
    const set = (key: string, value: string) =>
      s.sysctls.some((c) => c.netns === undefined && c.key === key && c.value === value);
    for (const c of needs.sysctls)
      if (!set(c.key, c.value))
        steps.push({
          kind: 'sysctl',
          netns: undefined,
          key: c.key,
          value: c.value,
          goesWithLab: goesWithLab(undefined, sysctlInterface(c.key)),
          need: c.need,
        });
    for (const n of needs.neighbours)
      steps.push({
        kind: 'neighbour',
        netns: undefined,
        dev: n.dev,
        address: n.address,
        peer: n.peer,
        goesWithLab: goesWithLab(undefined, n.dev),
        need: n.need,
      });
    steps.push({ kind: 'lb-load', driver: facts.driver, interfaces: s.lb.config.interfaces });
  }
  return steps;
}

/** A lab's plan, computed once: preflight checks it, `plan` shows it, the engine applies it. */
export interface LabPlan {
  scenario: Scenario;
  driver: DriverName;
  mode: 'sandbox' | 'host';
  runId: string;
  steps: Step[];
}

/** The steps exactly as the engine applies them in this mode: host labs carry ownership markers. */
export function planLab(scenario: Scenario, o: Omit<LabPlan, 'scenario' | 'steps'> & { kernel?: string }): LabPlan {
  const marker = o.mode === 'host' ? markerOf(o.runId, scenario.name) : undefined;
  const steps = planScenario(scenario, { kernel: o.kernel ?? hostFacts().kernel, driver: o.driver, marker, bpfDir });
  return { scenario, driver: o.driver, mode: o.mode, runId: o.runId, steps };
}

/** "5.15.0-91-generic" below "6.0" → true. */
export function kernelBelow(kernel: string, version: string): boolean {
  const [ka = 0, kb = 0] = kernel.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const [va = 0, vb = 0] = version.split('.').map(Number);
  return ka < va || (ka === va && kb < vb);
}
