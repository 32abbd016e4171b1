import type { DriverName } from '../drivers/driver.js';
import type { NetnsRef } from '../scenario/types.js';

/** A step a driver brings for itself (not the scenario's): which driver, and why it needs it. */
export interface Need {
  driver: DriverName;
  why: string;
}

/**
 * One change to the machine, as data. Planning produces these without side effects; the engine
 * turns each into commands (lab/step-commands.ts) and journals it before running it.
 */
export type Step =
  | { kind: 'netns-add'; netns: string }
  | { kind: 'netns-mark'; netns: string; marker: string }
  | { kind: 'veth-add'; a: { netns: NetnsRef; name: string }; b: { netns: NetnsRef; name: string } }
  | { kind: 'device-add'; device: import('../scenario/types.js').DeviceSpec }
  | { kind: 'link-mark'; netns: NetnsRef; dev: string; marker: string }
  | { kind: 'link-mtu'; netns: NetnsRef; dev: string; mtu: number }
  | { kind: 'ethtool'; netns: NetnsRef; dev: string; features: Record<string, 'on' | 'off'> }
  | { kind: 'link-up'; netns: NetnsRef; dev: string }
  | { kind: 'addr-add'; netns: NetnsRef; dev: string; cidr: string; family: 4 | 6; owned: boolean }
  | { kind: 'route-add'; netns: NetnsRef; to: string; family: 4 | 6; via?: string; dev?: string; owned: boolean }
  | { kind: 'sysctl'; netns: NetnsRef; key: string; value: string; owned: boolean; need?: Need }
  /** A neighbour entry for ADDRESS on DEV with the MAC of PEER (the lab's end that answers for it), read when the step runs. */
  | { kind: 'neighbour'; netns: NetnsRef; dev: string; address: string; peer: { netns: NetnsRef; dev: string }; owned: boolean; need: Need }
  | { kind: 'qdisc'; netns: NetnsRef; dev: string; rate: string; burst: string; latency: string; owned: boolean }
  | { kind: 'xdp-helper'; netns: NetnsRef; dev: string; object: string; section: string }
  | { kind: 'lb-load'; driver: string; interfaces: string[] };

export type StepKind = Step['kind'];

/** Where a step acts, as a person reads it. */
export function where(netns: NetnsRef): string {
  return netns === undefined ? 'default' : netns;
}

function forNeed(n: Need): string {
  return ` — for ${n.driver}: ${n.why}`;
}

export function describeStep(s: Step): string {
  switch (s.kind) {
    case 'netns-add': return `create namespace ${s.netns}`;
    case 'netns-mark': return `mark namespace ${s.netns} as zonlab's (lo alias ${s.marker})`;
    case 'veth-add': return `create veth ${s.a.name}@${where(s.a.netns)} ↔ ${s.b.name}@${where(s.b.netns)}`;
    case 'device-add': return `create ${s.device.kind} ${s.device.name}@${where(s.device.netns)}${s.device.kind === 'vlan' ? ` on ${s.device.link} id ${s.device.id}` : ` mode ${s.device.mode}`}`;
    case 'link-mark': return `mark ${s.dev}@${where(s.netns)} as zonlab's (alias ${s.marker})`;
    case 'link-mtu': return `set mtu ${s.mtu} on ${s.dev}@${where(s.netns)}`;
    case 'ethtool': return `ethtool -K ${s.dev}@${where(s.netns)} ${Object.entries(s.features).map(([k, v]) => `${k} ${v}`).join(' ')}`;
    case 'link-up': return `bring ${s.dev}@${where(s.netns)} up`;
    case 'addr-add': return `add ${s.cidr} to ${s.dev}@${where(s.netns)}`;
    case 'route-add': return `route ${s.to}${s.via ? ` via ${s.via}` : ''}${s.dev ? ` dev ${s.dev}` : ''} in ${where(s.netns)}`;
    case 'sysctl': return `sysctl ${s.key}=${s.value} in ${where(s.netns)}${s.need ? forNeed(s.need) : ''}`;
    case 'neighbour': return `neighbour ${s.address} on ${s.dev}@${where(s.netns)} at ${s.peer.dev}@${where(s.peer.netns)}'s MAC${forNeed(s.need)}`;
    case 'qdisc': return `shape ${s.dev}@${where(s.netns)} to ${s.rate} (tbf)`;
    case 'xdp-helper': return `attach XDP ${s.object} (sec ${s.section}) to ${s.dev}@${where(s.netns)}`;
    case 'lb-load': return `load the load balancer (${s.driver}) on ${s.interfaces.join(', ') || 'no interface'}`;
  }
}
