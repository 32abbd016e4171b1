import { isLoopback } from '../../lab/net.js';
import { lbTargetsOf, owners } from '../proof/targets.js';
import type { Scenario } from '../scenario/types.js';
import { isIcmp } from '../ip-protocols.js';
import type { ZonlbService } from '../zonlb/config.js';

/**
 * The mutants of the embedded load balancer: each a build of bpf/zonlb_xdp.c with
 * -DZONLAB_MUTANT=id (bpf/zonlb_mutants.h), breaking one thing a load balancer can get wrong.
 * `applies` says why one cannot show in a scenario (undefined: it can), so that "survived" always
 * means the checks missed a real difference.
 */
export interface Mutant {
  name: string;
  /** ZONLAB_MUTANT in bpf/zonlb_mutants.h. */
  id: number;
  description: string;
  /** What kind of check catches it, for the table of a survivor. */
  catches: string;
  applies(s: Scenario, path: DataPath): string | undefined;
}

/** The embedded driver's two data paths: XDP, or tc (dataPaths says when). */
export type DataPath = 'xdp' | 'tc';

/** The services the scenario's checks reach: a mutant that breaks only another cannot be seen. */
export function targetedServices(s: Scenario): ZonlbService[] {
  const out = new Map<number, ZonlbService>();
  for (const c of s.checks) for (const t of lbTargetsOf(c, s)) out.set(t.service.gid, t.service);
  return [...out.values()];
}

const isDsr = (svc: ZonlbService) => svc.backends.length > 0 && svc.backends.every((b) => b.options.dsrL2);
const nat = (s: Scenario) => targetedServices(s).filter((svc) => !isDsr(svc));
const need = (ok: boolean, why: string) => (ok ? undefined : why);
const anyTarget = (s: Scenario) => need(targetedServices(s).length > 0, 'no check reaches a service of the zonlb.toml');
const anyNat = (s: Scenario) =>
  anyTarget(s) ?? need(nat(s).length > 0, 'every service the checks reach is dsr_l2: nothing is translated');
const several = (s: Scenario) =>
  anyTarget(s) ??
  need(
    targetedServices(s).some((svc) => svc.backends.length > 1),
    'every service the checks reach has one backend: choosing again picks the same one',
  );

export const MUTANTS: readonly Mutant[] = [
  {
    name: 'untranslated',
    id: 1,
    description: 'counts the packet, passes it on untranslated',
    catches: 'any check of the service (its traffic no longer reaches the backend)',
    applies: anyTarget,
  },
  {
    name: 'no-reverse',
    id: 2,
    description: 'translates the requests but not the replies',
    catches: 'a check that needs an answer (telnet, nc, ping, iperf)',
    applies: anyNat,
  },
  {
    name: 'ignore-src-ip',
    id: 3,
    description: "ignores src_ip: the backend sees the client's own address",
    catches: 'expect_source = the src_ip on a telnet, nc, iperf or iperf3 check',
    applies: (s) =>
      anyNat(s) ??
      need(
        nat(s).some((svc) => svc.backends.some((b) => b.options.srcIp !== undefined)),
        'no backend the checks reach has src_ip',
      ),
  },
  {
    name: 'wrong-port',
    id: 4,
    description: "sends to the backend's port + 1",
    catches: 'a telnet, nc or iperf check (nothing listens there)',
    applies: (s) =>
      anyNat(s) ??
      need(
        nat(s).some((svc) => !isIcmp(svc.proto) && svc.backends.some((b) => b.port)),
        "no backend the checks reach has a port of its own (ping, or the client's port kept)",
      ),
  },
  {
    name: 'wrong-backend',
    id: 5,
    description: 'counts the backend it chose, sends to the next one',
    catches: 'expect_source, or the per-backend counts against what each backend saw',
    applies: several,
  },
  {
    name: 'drop-1-in-50',
    id: 6,
    description: 'drops the first packet and every 50th after it (per backend and direction, per CPU)',
    catches: 'a UDP datagram check (nc proto = "udp") or ping: TCP resends what is lost',
    applies: anyTarget,
  },
  {
    name: 'no-conntrack',
    id: 7,
    description: 'forgets the flow: every request packet chooses its backend again',
    catches: 'a TCP check through a service of several backends',
    applies: several,
  },
  {
    name: 'dsr-as-nat',
    id: 8,
    description: 'treats a dsr_l2 backend as full NAT',
    catches: 'a check of the DSR service (the backend answers from its own address), and its replies counted',
    applies: (s) =>
      anyTarget(s) ??
      need(
        targetedServices(s).some((svc) => svc.backends.some((b) => b.options.dsrL2)),
        'no dsr_l2 backend',
      ),
  },
  {
    name: 'no-frag-needed',
    id: 9,
    description: 'drops a packet too big for the backend\'s link instead of answering "fragmentation needed"',
    catches: 'a ping or throughput check through a link of a smaller MTU (PMTU discovery)',
    applies: (s, path) =>
      anyTarget(s) ??
      need(
        path === 'xdp',
        'the tc path is taken only where the links have one MTU (or the local stack takes the packets)',
      ) ??
      need(smallerMtu(s), 'no link of the lab has an MTU below 1500: no packet is too big'),
  },
  {
    name: 'stale-checksum',
    id: 10,
    description: 'rewrites addresses and ports, leaves the TCP/UDP/ICMP checksum as it was',
    catches: 'any check of a translated service (the receiver drops the packet)',
    applies: anyNat,
  },
];

function smallerMtu(s: Scenario): boolean {
  return s.veths.some((v) => [v.a, v.b].some((end) => end.mtu !== undefined && end.mtu < 1500));
}

/** The MTUs of the config's links in the load balancer's namespace (1500 where the scenario sets none). */
function configMtus(s: Scenario): Set<number> {
  const names = new Set(s.lb.config?.interfaces ?? []);
  const ends = s.veths.flatMap((v) => [v.a, v.b]).filter((end) => end.netns === undefined && names.has(end.name));
  return new Set(ends.map((end) => end.mtu ?? 1500));
}

/**
 * The paths the embedded driver can take for this scenario (src/drivers/embedded/index.ts, dataPath):
 * tc (zonlb_tc_in when every backend is on the load balancer's host, zonlb_tc_fwd for backends
 * behind links of one MTU and no direct server return) and XDP forced (ZONLAB_XDP_MODE=native)
 * beside it; XDP alone otherwise.
 */
export function dataPaths(s: Scenario): DataPath[] {
  const services = s.lb.config?.services ?? [];
  if (!services.length) return ['xdp'];
  const local = (ip: string) => isLoopback(ip) || owners(s, ip).includes(undefined);
  if (services.every((svc) => svc.backends.every((b) => local(b.ip)))) return ['tc', 'xdp'];
  const dsr = services.some((svc) => svc.backends.some((b) => b.options.dsrL2 || b.options.dsrL3));
  return dsr || configMtus(s).size > 1 ? ['xdp'] : ['tc', 'xdp'];
}
