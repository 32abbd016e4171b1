import type { ZonlbConfig } from '../zonlb/config.js';
import type { Cidr } from '../../lab/net.js';
import type { DeviceLink, NetnsRef } from '../../lab/steps.js';

/** The load balancers zonlab can load; 'auto' is zon-lb when a binary is found, else the embedded one. */
export const DRIVER_NAMES = ['auto', 'zon-lb', 'embedded', 'nft', 'none'] as const;
export type DriverChoice = (typeof DRIVER_NAMES)[number];
export type DriverName = Exclude<DriverChoice, 'auto'>;

/** A scenario after validation: every name, address and reference checked. */
export interface Scenario {
  name: string;
  description: string;
  /** The scenario file and, in order, the topology files it includes. */
  files: string[];
  /** sha256 of the files' contents and the parameters: the scenario's identity in results. */
  hash: string;
  params: Record<string, string | number | boolean>;
  namespaces: string[];
  veths: VethPair[];
  addresses: AddressSpec[];
  routes: RouteSpec[];
  sysctls: SysctlSpec[];
  qdiscs: QdiscSpec[];
  devices: DeviceSpec[];
  lb: LbSpec;
  servers: ServerSpec[];
  checks: CheckSpec[];
  /** [[event]]: changes to the load balancer applied during a check (issue 23). */
  events: EventSpec[];
  /** How many times the throughput checks run (`--repeat` overrides). */
  repeat: number;
  /** The largest drop that is not a regression, as a fraction (`--max-drop` overrides). */
  maxDrop?: number;
}

export type { NetnsRef } from '../../lab/steps.js';

export interface VethEnd {
  netns: NetnsRef;
  name: string;
  addresses: Cidr[];
  mtu?: number;
  /** ethtool -K features, e.g. { tx: 'off' }. */
  ethtool: Record<string, 'on' | 'off'>;
  xdp?: XdpHelper;
}

export interface XdpHelper {
  /** A program in bpf/NAME.c, built to bpf/NAME.o. */
  program: string;
  section: string;
  /** Attach only when the kernel is older than this (the seed's dummy program is for < 6.0). */
  belowKernel?: string;
}

export interface VethPair {
  a: VethEnd;
  b: VethEnd;
}

export interface AddressSpec {
  netns: NetnsRef;
  dev: string;
  cidr: Cidr;
}

export interface RouteSpec {
  netns: NetnsRef;
  to: 'default' | Cidr;
  family: 4 | 6;
  via?: string;
  dev?: string;
}

/**
 * A device other than a veth pair, for the examples that need one: a VLAN sub-interface (802.1Q)
 * or an IPv6 tunnel (ip6tnl). Both need kernel support that some kernels lack.
 */
export type DeviceSpec = DeviceLink & { addresses: Cidr[] };

/** A root qdisc that shapes a link (tbf or htb are built into these kernels; netem is not). */
export interface QdiscSpec {
  netns: NetnsRef;
  dev: string;
  kind: 'tbf';
  rate: string;
  burst: string;
  latency: string;
  /** Where it is written, for warnings about it. */
  at?: { file: string; key: string; line?: number };
}

export interface SysctlSpec {
  netns: NetnsRef;
  key: string;
  value: string;
}

export interface LbSpec {
  driver: DriverChoice;
  /** The parsed zonlb.toml; undefined when the scenario has no load balancer. */
  config?: ZonlbConfig;
  configText?: string;
}

export interface ServerSpec {
  name: string;
  netns: NetnsRef;
  address: string;
  port: number;
}

export const CHECK_KINDS = ['telnet', 'nc', 'ping', 'iperf', 'iperf3', 'spread', 'hold', 'rr', 'crr'] as const;
export type CheckKind = (typeof CHECK_KINDS)[number];

interface CheckBase {
  name: string;
  from: NetnsRef;
  to: string;
  timeoutMs: number;
  /** "none": a plain connectivity check, declared not to go through the load balancer (else a check must reach a service). */
  through?: 'none';
}

export interface ConnectCheck extends CheckBase {
  kind: 'telnet' | 'nc';
  port: number;
  server: ServerSpec;
  proto: 'tcp' | 'udp';
  /** The address the server must see the client as (e.g. the load balancer's src_ip). */
  expectSource?: string;
  /** Leave through this device (zon-lb's VLAN example: `curl --interface veth1.2 telnet://…`). */
  interface?: string;
}

export interface PingCheck extends CheckBase {
  kind: 'ping';
  count: number;
  size: number;
  /** Replies the check expects: all of them unless the README expects loss (PMTU discovery: 2 of 3). */
  expectReceived: number;
  /** With min_received: at least expectReceived (a path that may either fragment or refuse). */
  atLeast: boolean;
  /** ping -I DEV. */
  interface?: string;
}

export interface ThroughputCheck extends CheckBase {
  kind: 'iperf' | 'iperf3';
  port: number;
  server: ServerSpec;
  duration: number;
  omit: number;
  parallel: number;
  reverse: boolean;
  udp: boolean;
  /** iperf3 -b, e.g. "1G"; required with udp. */
  bitrate?: string;
  /** iperf -e: the enhanced report zon-lb's READMEs quote. */
  enhanced: boolean;
  /** -w, the socket buffer zon-lb's DSR README fixes at 64K so that runs compare. */
  window?: string;
  /** The address the server must see the client as (e.g. the load balancer's src_ip). */
  expectSource?: string;
}

/** The behaviour checks (src/checks/spread.ts, hold.ts, latency.ts): zonlab's traffic tool on every backend of the service. */
interface BehaviourBase extends CheckBase {
  port: number;
  /** The first of `servers`: what code written for one server reads. */
  server: ServerSpec;
  /** Every backend's server, each answering with its own name. */
  servers: ServerSpec[];
}

export interface SpreadCheck extends BehaviourBase {
  kind: 'spread';
  proto: 'tcp' | 'udp';
  connections: number;
  /** Bind source ports sourcePort…sourcePort+N−1, so that a later spread compares flow by flow (`moved`). */
  sourcePort?: number;
  minP: number;
  /** The servers that may answer (default: all of `servers`). */
  expectBackends?: string[];
  concurrency: number;
}

export interface HoldCheck extends BehaviourBase {
  kind: 'hold';
  connections: number;
  intervalMs: number;
  durationMs: number;
  maxBroken: number;
  /** While the connections are held, this many new short ones from these client addresses (a full connection table). */
  churn?: { flows: number; sources: string[] };
}

export interface LatencyCheck extends BehaviourBase {
  kind: 'rr' | 'crr';
  count: number;
  /** Bytes of each request and response. */
  size: number;
}

export type BehaviourCheck = SpreadCheck | HoldCheck | LatencyCheck;

export type CheckSpec = ConnectCheck | PingCheck | ThroughputCheck | BehaviourCheck;

export const EVENT_ACTIONS = ['remove-backend', 'add-backend', 'reload', 'replace-program', 'flush-conntrack'] as const;
export type EventAction = (typeof EVENT_ACTIONS)[number];

/** [[event]]: `at` seconds after the start of the check `during`, an action on the load balancer. */
export interface EventSpec {
  at: number;
  during: string;
  action: EventAction;
  /** remove-backend, add-backend: the zonlb.toml's backend key ("1_2"). */
  backend?: string;
}

/**
 * One spec per check kind, said once: what it measures (a throughput or a latency is sampled by
 * --repeat and judged by --baseline), whether it runs zonlab's own traffic tool (a behaviour
 * check), and the tools its client and server run on this machine.
 */
interface CheckKindSpec {
  measures?: 'throughput' | 'latency';
  behaviour: boolean;
  tools(c: CheckSpec): string[];
}

// the behaviour checks run zonlab's own traffic tool on the Node that runs zonlab: no tool of their own
export const CHECK_KIND_SPECS: Record<CheckKind, CheckKindSpec> = {
  telnet: { behaviour: false, tools: (c) => ['interface' in c && c.interface ? 'curl' : 'telnet', 'nc'] },
  nc: { behaviour: false, tools: () => ['nc'] },
  ping: { behaviour: false, tools: () => ['ping'] },
  iperf: { measures: 'throughput', behaviour: false, tools: () => ['iperf'] },
  iperf3: { measures: 'throughput', behaviour: false, tools: () => ['iperf3'] },
  spread: { behaviour: true, tools: () => [] },
  hold: { behaviour: true, tools: () => [] },
  rr: { measures: 'latency', behaviour: true, tools: () => [] },
  crr: { measures: 'latency', behaviour: true, tools: () => [] },
};

export function isBehaviour(c: CheckSpec): c is BehaviourCheck {
  return CHECK_KIND_SPECS[c.kind].behaviour;
}

/** Checks repeated by --repeat and judged by --baseline: throughput, and the latency of rr and crr. */
export function isSampled(c: CheckSpec): boolean {
  return CHECK_KIND_SPECS[c.kind].measures !== undefined;
}

/** A kind that measures throughput (iperf, iperf3): for a check or a recorded outcome. */
export const measuresThroughput = (kind: CheckKind): boolean => CHECK_KIND_SPECS[kind].measures === 'throughput';

export function isThroughput(c: CheckSpec): c is ThroughputCheck {
  return measuresThroughput(c.kind);
}
