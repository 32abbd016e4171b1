import type { NetnsRef, Scenario } from '../../scenario/types.js';
import { esc } from './svg.js';

/**
 * The topology as a diagram: the default namespace (the load balancer's) in the middle, the other
 * namespaces as boxes around it, each veth pair a line between its two ends with the interface
 * names and addresses, a marker where the load balancer and XDP helpers sit, servers and clients
 * listed in their namespace.
 */
/** Drawn to its viewBox at the width of its column (never wider than its own size): it fits any page. */
export function topologySvg(s: Scenario, driver: string = s.lb.driver): string {
  // a large topology (many-clients) draws its first namespaces and says how many more there are
  const MAX = 8;
  const others = s.namespaces.slice(0, MAX);
  const hidden = s.namespaces.length - others.length;
  const left = others.filter((_, i) => i % 2 === 0);
  const right = others.filter((_, i) => i % 2 === 1);
  const BW = 300,
    GAP = 130,
    PAD = 16;
  const lines = (ns: NetnsRef) => {
    const out: string[] = [];
    for (const v of s.veths)
      for (const e of [v.a, v.b])
        if (e.netns === ns) out.push(`${e.name} ${e.addresses.map((c) => `${c.address}/${c.prefix}`).join(' ')}`);
    for (const d of (s.devices ?? []).filter((x) => x.netns === ns))
      out.push(`${d.name} (${d.kind}) ${d.addresses.map((c) => `${c.address}/${c.prefix}`).join(' ')}`);
    for (const a of s.addresses.filter((x) => x.netns === ns)) out.push(`${a.dev} ${a.cidr.address}/${a.cidr.prefix}`);
    for (const sv of s.servers.filter((x) => x.netns === ns)) out.push(`server ${sv.name} ${sv.address}:${sv.port}`);
    const clients = s.checks.filter((c) => c.from === ns);
    if (clients.length) out.push(`clients: ${[...new Set(clients.map((c) => c.kind))].join(', ')}`);
    return out;
  };
  const boxH = (ns: NetnsRef) => 34 + lines(ns).length * 16;
  const colH = (col: string[]) => col.reduce((h, ns) => h + boxH(ns) + PAD, 0);
  const H = Math.max(boxH(undefined) + 40, colH(left), colH(right)) + 40;
  const W = BW * 3 + GAP * 2 + 20;
  const pos = new Map<string, { x: number; y: number; h: number }>();
  const place = (col: string[], x: number) => {
    let y = 30;
    for (const ns of col) {
      pos.set(ns, { x, y, h: boxH(ns) });
      y += boxH(ns) + PAD;
    }
  };
  place(left, 10);
  place(right, 10 + 2 * (BW + GAP));
  const mid = { x: 10 + BW + GAP, y: 30, h: boxH(undefined) };
  const where = (ns: NetnsRef) => (ns === undefined ? mid : pos.get(ns)!);
  const lbIfs = new Set(s.lb.config?.interfaces ?? []);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" style="max-width:${W}px;height:auto" class="topology" role="img" aria-label="${esc(`topology of ${s.name}`)}">`,
  ];
  const box = (ns: NetnsRef, p: { x: number; y: number; h: number }) => {
    parts.push(
      `<g class="netns${ns === undefined ? ' default' : ''}"><rect x="${p.x}" y="${p.y}" width="${BW}" height="${p.h}" rx="8"/>`,
    );
    parts.push(
      `<text x="${p.x + 10}" y="${p.y + 20}" class="netns-title">${esc(ns ?? 'default namespace (load balancer)')}</text>`,
    );
    lines(ns).forEach((l, i) =>
      parts.push(
        `<text x="${p.x + 10}" y="${p.y + 40 + i * 16}" class="netns-line">${esc(l.length > 44 ? `${l.slice(0, 43)}…` : l)}</text>`,
      ),
    );
    parts.push('</g>');
  };
  box(undefined, mid);
  for (const [ns, p] of pos) box(ns, p);
  // links and markers over the boxes; a marker sits in the gap, beside the end it belongs to
  for (const v of s.veths) {
    const a = where(v.a.netns),
      b = where(v.b.netns); // undefined for a namespace not drawn
    if (!a || !b) continue;
    const ax = a.x < b.x ? a.x + BW : a.x,
      bx = b.x < a.x ? b.x + BW : b.x;
    const ay = a.y + a.h / 2,
      by = b.y + b.h / 2;
    parts.push(`<line x1="${ax}" y1="${ay}" x2="${bx}" y2="${by}" class="link"/>`);
    parts.push(
      `<text x="${(ax + bx) / 2}" y="${(ay + by) / 2 - 6}" class="link-label" text-anchor="middle">${esc(`${v.a.name} ↔ ${v.b.name}`)}</text>`,
    );
    for (const [end, x, y, other] of [
      [v.a, ax, ay, bx],
      [v.b, bx, by, ax],
    ] as const) {
      const side = other > x ? 1 : -1; // towards the gap
      const cx = x + side * 40;
      // as wide as its words ("lb embedded" is wider than "lb nft")
      const badge = Math.max(68, `lb ${driver}`.length * 6.5 + 12);
      const bx = x + side * Math.max(40, badge / 2 + 6); // clear of the namespace's box
      if (end.netns === undefined && lbIfs.has(end.name))
        parts.push(
          `<g class="lb-marker"><rect x="${bx - badge / 2}" y="${y + 6}" width="${badge}" height="18" rx="4"/><text x="${bx}" y="${y + 19}" text-anchor="middle">${esc(`lb ${driver}`)}</text></g>`,
        );
      if (end.xdp)
        parts.push(
          `<text x="${cx}" y="${y + 38}" class="xdp-label" text-anchor="middle">${esc(`xdp ${end.xdp.program}`)}</text>`,
        );
    }
  }
  if (hidden > 0)
    parts.push(
      `<text x="10" y="${H - 10}" class="netns-line">… and ${hidden} more namespace${hidden > 1 ? 's' : ''} like these</text>`,
    );
  parts.push('</svg>');
  return parts.join('');
}
