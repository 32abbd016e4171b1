import type { Scenario } from '../scenario/types.js';

/** A program attached to an interface: XDP as `ip -j link show` reports it, or tc's bpf filters. */
export interface XdpAttachment {
  iface: string;
  /** undefined: the lab's default namespace. */
  netns?: string;
  id: number;
  name: string;
}

interface IpLink {
  ifname?: string;
  xdp?: { prog?: { id?: number; name?: string }; attached?: { prog?: { id?: number; name?: string } }[] };
}

/** Every program on every link (a link can hold a native and a generic one at once). */
export function parseXdpAttachments(json: string, netns?: string): XdpAttachment[] {
  const out: XdpAttachment[] = [];
  for (const link of JSON.parse(json || '[]') as IpLink[]) {
    const progs = link.xdp?.attached?.map((a) => a.prog) ?? [link.xdp?.prog];
    for (const p of progs) {
      if (link.ifname && p?.id) out.push({ iface: link.ifname, netns, id: p.id, name: p.name ?? '' });
    }
  }
  return out;
}

interface TcFilter {
  kind?: string;
  options?: { bpf_name?: string; prog?: { id?: number; name?: string } };
}

/** The BPF programs of a `tc -j filter show dev IF ingress|egress`, as attachments of that interface. */
export function parseTcAttachments(json: string, iface: string, netns?: string): XdpAttachment[] {
  const out: XdpAttachment[] = [];
  for (const f of JSON.parse(json || '[]') as TcFilter[]) {
    const prog = f.kind === 'bpf' ? f.options?.prog : undefined;
    if (prog?.id) out.push({ iface, netns, id: prog.id, name: prog.name ?? f.options?.bpf_name ?? '' });
  }
  return out;
}

export const where = (a: { iface: string; netns?: string }) => `${a.iface}@${a.netns ?? 'default'}`;

/**
 * The lab's interfaces, by namespace: every interface of a lab namespace (the lab owns it), and in
 * the default namespace (the machine's own with --host) only those the scenario or the zonlb.toml names.
 */
export function labInterfaces(s: Scenario): { namespaces: (string | undefined)[]; inDefault: Set<string> } {
  const inDefault = new Set<string>(s.lb.config?.interfaces ?? []);
  for (const end of [...s.veths.flatMap((v) => [v.a, v.b]), ...s.devices])
    if (end.netns === undefined) inDefault.add(end.name);
  return { namespaces: [undefined, ...s.namespaces], inDefault };
}

/** The load balancer's programs: every XDP program on the lab's interfaces except the scenario's own helpers. */
export function lbAttachments(
  all: XdpAttachment[],
  s: Scenario,
  helperProgramNames: (program: string) => string[],
): XdpAttachment[] {
  const { inDefault } = labInterfaces(s);
  const helpers = new Map<string, Set<string>>();
  for (const end of s.veths.flatMap((v) => [v.a, v.b])) {
    // the kernel keeps 15 characters of a program's name
    if (end.xdp)
      helpers.set(
        where({ iface: end.name, netns: end.netns }),
        new Set(helperProgramNames(end.xdp.program).map((n) => n.slice(0, 15))),
      );
  }
  return all.filter((a) => (a.netns !== undefined || inDefault.has(a.iface)) && !helpers.get(where(a))?.has(a.name));
}
