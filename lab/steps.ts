/** undefined is the lab's default namespace. */
export type NetnsRef = string | undefined;

/** A link made with `ip link add … type vlan|ip6tnl` (a veth pair has a step of its own). */
export type DeviceLink =
  | { kind: 'vlan'; netns: NetnsRef; name: string; link: string; id: number }
  | {
      kind: 'ip6tnl';
      netns: NetnsRef;
      name: string;
      mode: 'any' | 'ip6ip6' | 'ipip6';
      local?: string;
      remote?: string;
    };

/** A step a driver brings for itself (not the scenario's): which driver, and why it needs it. */
export interface Need {
  driver: string;
  why: string;
}

/** A veth pair's end; `index`: the interface index it is made with (else the kernel's next). */
export interface VethEnd {
  netns: NetnsRef;
  name: string;
  index?: number;
}

/** Host labs mark what they create `zonlab:RUNID:SCENARIO`, so `zonlab gc` finds it without a journal. */
export const MARKER_PREFIX = 'zonlab:';

export const markerOf = (runId: string, scenario: string): string => `${MARKER_PREFIX}${runId}:${scenario}`;

/** One change to the machine, as data; `goesWithLab`: it goes away with a lab namespace or link, so it has no undo. */
export type Step =
  | { kind: 'netns-add'; netns: string }
  | { kind: 'netns-mark'; netns: string; marker: string }
  /** Interface indexes for the driver's interfaces, chosen when the lab is built; the links that are made with them carry them. */
  | { kind: 'ifindex-reserve'; interfaces: string[]; need: Need }
  | { kind: 'veth-add'; a: VethEnd; b: VethEnd }
  | { kind: 'device-add'; device: DeviceLink; index?: number }
  | { kind: 'link-mark'; netns: NetnsRef; dev: string; marker: string }
  | { kind: 'link-mtu'; netns: NetnsRef; dev: string; mtu: number }
  | { kind: 'ethtool'; netns: NetnsRef; dev: string; features: Record<string, 'on' | 'off'> }
  | { kind: 'link-up'; netns: NetnsRef; dev: string }
  | { kind: 'addr-add'; netns: NetnsRef; dev: string; cidr: string; family: 4 | 6; goesWithLab: boolean }
  | { kind: 'route-add'; netns: NetnsRef; to: string; family: 4 | 6; via?: string; dev?: string; goesWithLab: boolean }
  | { kind: 'sysctl'; netns: NetnsRef; key: string; value: string; goesWithLab: boolean; need?: Need }
  /** A neighbour entry for ADDRESS on DEV with the MAC of PEER (the lab's end that answers for it), read when the step runs. */
  | {
      kind: 'neighbour';
      netns: NetnsRef;
      dev: string;
      address: string;
      peer: { netns: NetnsRef; dev: string };
      goesWithLab: boolean;
      need: Need;
    }
  | { kind: 'qdisc'; netns: NetnsRef; dev: string; rate: string; burst: string; latency: string; goesWithLab: boolean }
  | { kind: 'xdp-helper'; netns: NetnsRef; dev: string; object: string; section: string }
  | { kind: 'lb-load'; driver: string; interfaces: string[] };

export type StepKind = Step['kind'];

/** Where a step acts, as a person reads it. */
export function where(netns: NetnsRef): string {
  return netns === undefined ? 'default' : netns;
}

const indexWords = (index: number | undefined) => (index === undefined ? '' : ` (index ${index})`);
const endWords = (e: VethEnd) => `${e.name}@${where(e.netns)}${indexWords(e.index)}`;

function forNeed(n: Need): string {
  return ` — for ${n.driver}: ${n.why}`;
}

export function describeStep(s: Step): string {
  switch (s.kind) {
    case 'netns-add':
      return `create namespace ${s.netns}`;
    case 'netns-mark':
      return `mark namespace ${s.netns} as zonlab's (lo alias ${s.marker})`;
    case 'ifindex-reserve':
      return `reserve interface indexes below 256 that no XDP link on the machine has for ${s.interfaces.join(', ')}${forNeed(s.need)}`;
    case 'veth-add':
      return `create veth ${endWords(s.a)} ↔ ${endWords(s.b)}`;
    case 'device-add':
      return `create ${s.device.kind} ${s.device.name}@${where(s.device.netns)}${indexWords(s.index)}${s.device.kind === 'vlan' ? ` on ${s.device.link} id ${s.device.id}` : ` mode ${s.device.mode}`}`;
    case 'link-mark':
      return `mark ${s.dev}@${where(s.netns)} as zonlab's (alias ${s.marker})`;
    case 'link-mtu':
      return `set mtu ${s.mtu} on ${s.dev}@${where(s.netns)}`;
    case 'ethtool':
      return `ethtool -K ${s.dev}@${where(s.netns)} ${Object.entries(s.features)
        .map(([k, v]) => `${k} ${v}`)
        .join(' ')}`;
    case 'link-up':
      return `bring ${s.dev}@${where(s.netns)} up`;
    case 'addr-add':
      return `add ${s.cidr} to ${s.dev}@${where(s.netns)}`;
    case 'route-add':
      return `route ${s.to}${s.via ? ` via ${s.via}` : ''}${s.dev ? ` dev ${s.dev}` : ''} in ${where(s.netns)}`;
    case 'sysctl':
      return `sysctl ${s.key}=${s.value} in ${where(s.netns)}${s.need ? forNeed(s.need) : ''}`;
    case 'neighbour':
      return `neighbour ${s.address} on ${s.dev}@${where(s.netns)} at ${s.peer.dev}@${where(s.peer.netns)}'s MAC${forNeed(s.need)}`;
    case 'qdisc':
      return `shape ${s.dev}@${where(s.netns)} to ${s.rate} (tbf)`;
    case 'xdp-helper':
      return `attach XDP ${s.object} (sec ${s.section}) to ${s.dev}@${where(s.netns)}`;
    case 'lb-load':
      return `load the load balancer (${s.driver}) on ${s.interfaces.join(', ') || 'no interface'}`;
  }
}
