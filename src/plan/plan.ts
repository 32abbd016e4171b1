import path from 'node:path';
import type { DriverName } from '../drivers/driver.js';
import type { NetnsRef, Scenario } from '../scenario/types.js';
import type { Step } from './steps.js';

export interface PlanFacts {
  /** `uname -r`, e.g. "6.18.44". */
  kernel: string;
  driver: DriverName;
  /** Host runs mark what they create so `zonlab gc` can find it without the journal. */
  marker?: string;
  bpfDir: string;
}

/**
 * Orders the scenario's changes: namespaces, links, link settings, addresses, links up, sysctls
 * (their interfaces exist by then), routes (their gateways are reachable by then), XDP helpers,
 * and last the load balancer. Pure: the same scenario and facts give the same plan.
 */
export function planScenario(s: Scenario, facts: PlanFacts): Step[] {
  const steps: Step[] = [];
  const created = new Set<string>();
  const key = (ns: NetnsRef, dev: string) => `${ns ?? ''}/${dev}`;
  // An object inside a lab namespace or on a lab link goes away with it: no undo of its own.
  const owned = (ns: NetnsRef, dev?: string) => ns !== undefined || (dev !== undefined && created.has(key(ns, dev)));

  for (const ns of s.namespaces) {
    steps.push({ kind: 'netns-add', netns: ns });
    if (facts.marker) steps.push({ kind: 'netns-mark', netns: ns, marker: facts.marker });
    steps.push({ kind: 'link-up', netns: ns, dev: 'lo' });
  }
  for (const v of s.veths) {
    steps.push({ kind: 'veth-add', a: { netns: v.a.netns, name: v.a.name }, b: { netns: v.b.netns, name: v.b.name } });
    created.add(key(v.a.netns, v.a.name));
    created.add(key(v.b.netns, v.b.name));
    if (facts.marker) for (const end of [v.a, v.b]) steps.push({ kind: 'link-mark', netns: end.netns, dev: end.name, marker: facts.marker });
  }
  for (const d of s.devices ?? []) {
    steps.push({ kind: 'device-add', device: d });
    created.add(key(d.netns, d.name));
    if (facts.marker) steps.push({ kind: 'link-mark', netns: d.netns, dev: d.name, marker: facts.marker });
  }
  const ends = s.veths.flatMap((v) => [v.a, v.b]);
  for (const end of ends) if (end.mtu !== undefined) steps.push({ kind: 'link-mtu', netns: end.netns, dev: end.name, mtu: end.mtu });
  for (const end of ends) if (Object.keys(end.ethtool).length) steps.push({ kind: 'ethtool', netns: end.netns, dev: end.name, features: end.ethtool });
  for (const end of ends) {
    for (const c of end.addresses) steps.push({ kind: 'addr-add', netns: end.netns, dev: end.name, cidr: `${c.address}/${c.prefix}`, family: c.family, owned: true });
  }
  for (const a of s.addresses) {
    steps.push({ kind: 'addr-add', netns: a.netns, dev: a.dev, cidr: `${a.cidr.address}/${a.cidr.prefix}`, family: a.cidr.family, owned: owned(a.netns, a.dev) });
  }
  for (const d of s.devices ?? []) {
    for (const c of d.addresses) steps.push({ kind: 'addr-add', netns: d.netns, dev: d.name, cidr: `${c.address}/${c.prefix}`, family: c.family, owned: true });
  }
  for (const end of ends) steps.push({ kind: 'link-up', netns: end.netns, dev: end.name });
  for (const d of s.devices ?? []) steps.push({ kind: 'link-up', netns: d.netns, dev: d.name });
  for (const c of s.sysctls) {
    if (c.drivers && !c.drivers.includes(facts.driver)) continue;
    const dev = /^net\.ipv[46]\.(?:conf|neigh)\.([^.]+)\./.exec(c.key)?.[1];
    steps.push({ kind: 'sysctl', netns: c.netns, key: c.key, value: c.value, owned: owned(c.netns, dev) });
  }
  for (const r of s.routes) {
    const to = r.to === 'default' ? 'default' : `${r.to.address}/${r.to.prefix}`;
    steps.push({ kind: 'route-add', netns: r.netns, to, family: r.family, via: r.via, dev: r.dev, owned: owned(r.netns, r.dev) });
  }
  for (const q of s.qdiscs ?? []) steps.push({ kind: 'qdisc', netns: q.netns, dev: q.dev, rate: q.rate, burst: q.burst, latency: q.latency, owned: owned(q.netns, q.dev) });
  for (const end of ends) {
    if (!end.xdp) continue;
    if (end.xdp.belowKernel && !kernelBelow(facts.kernel, end.xdp.belowKernel)) continue;
    steps.push({ kind: 'xdp-helper', netns: end.netns, dev: end.name, object: path.join(facts.bpfDir, `${end.xdp.program}.o`), section: end.xdp.section });
  }
  if (s.lb.config && facts.driver !== 'none') steps.push({ kind: 'lb-load', driver: facts.driver, interfaces: s.lb.config.interfaces });
  return steps;
}

/** "5.15.0-91-generic" below "6.0" → true. */
export function kernelBelow(kernel: string, version: string): boolean {
  const [ka = 0, kb = 0] = kernel.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const [va = 0, vb = 0] = version.split('.').map(Number);
  return ka < va || (ka === va && kb < vb);
}
