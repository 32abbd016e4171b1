import type { NetnsRef, Scenario } from '../scenario/types.js';

/**
 * The topology as boxes in a terminal: one box per namespace (the default one first), each
 * interface with its addresses, where its veth peer is, and what is attached (the load balancer,
 * XDP helpers, qdiscs); the servers where they listen.
 */
export function topologyText(s: Scenario, driver = s.lb.driver): string {
  const spaces: NetnsRef[] = [undefined, ...s.namespaces];
  const lbIfs = new Set(s.lb.config?.interfaces ?? []);
  const boxes = spaces.map((ns) => {
    const rows: string[][] = [];
    for (const v of s.veths) {
      for (const [end, peer] of [
        [v.a, v.b],
        [v.b, v.a],
      ] as const) {
        if (end.netns !== ns) continue;
        const tags = [
          ...(ns === undefined && lbIfs.has(end.name) ? [`◆ lb ${driver}`] : []),
          ...(end.xdp
            ? [`xdp ${end.xdp.program}${end.xdp.belowKernel ? ` (kernel < ${end.xdp.belowKernel})` : ''}`]
            : []),
          ...Object.entries(end.ethtool).map(([f, x]) => `${f} ${x}`),
          ...(end.mtu ? [`mtu ${end.mtu}`] : []),
          ...(s.qdiscs ?? []).filter((q) => q.netns === ns && q.dev === end.name).map((q) => `tbf ${q.rate}`),
        ];
        rows.push([
          end.name,
          end.addresses.map((c) => `${c.address}/${c.prefix}`).join(' '),
          `◀──▶ ${peer.name}@${peer.netns ?? 'default'}`,
          tags.join(', '),
        ]);
      }
    }
    for (const d of (s.devices ?? []).filter((x) => x.netns === ns)) {
      rows.push([
        d.name,
        d.addresses.map((c) => `${c.address}/${c.prefix}`).join(' '),
        d.kind === 'vlan' ? `vlan ${d.id} on ${d.link}` : `ip6tnl ${d.mode}`,
        '',
      ]);
    }
    const lo = s.addresses.filter((a) => a.netns === ns);
    const byDev = new Map<string, string[]>();
    for (const a of lo) byDev.set(a.dev, [...(byDev.get(a.dev) ?? []), `${a.cidr.address}/${a.cidr.prefix}`]);
    for (const [dev, addrs] of byDev)
      rows.push([
        dev,
        addrs.join(' '),
        dev === 'lo' ? '' : '(extra addresses)',
        ns === undefined && lbIfs.has(dev) ? `◆ lb ${driver}` : '',
      ]);
    for (const sv of s.servers.filter((x) => x.netns === ns))
      rows.push([
        `server ${sv.name}`,
        `${sv.address.includes(':') ? `[${sv.address}]` : sv.address}:${sv.port}`,
        '',
        '',
      ]);
    for (const c of s.checks.filter((x) => x.from === ns))
      rows.push([`client ${c.name}`, `${c.kind} → ${c.to}${'port' in c ? `:${c.port}` : ''}`, '', '']);
    return { title: ns ?? 'default (the load balancer)', rows };
  });
  const widths = [0, 1, 2, 3].map((i) => Math.max(0, ...boxes.flatMap((b) => b.rows.map((r) => r[i]!.length))));
  const inner = Math.max(
    ...boxes.map((b) => b.title.length + 2),
    widths.reduce((a, b) => a + b + 2, 0),
  );
  const out: string[] = [];
  for (const b of boxes) {
    out.push(`┌─ ${b.title} ${'─'.repeat(Math.max(0, inner - b.title.length - 2))}┐`);
    if (!b.rows.length) out.push(`│ ${'(nothing but lo)'.padEnd(inner)}│`);
    for (const r of b.rows)
      out.push(
        `│ ${r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .padEnd(inner)}│`,
      );
    out.push(`└${'─'.repeat(inner + 1)}┘`);
  }
  return out.join('\n');
}
