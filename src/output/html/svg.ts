/** Text from files (scenario names, descriptions, interface names) may be hostile: escape it all. */
export function esc(s: unknown): string {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export interface Series {
  name: string;
  color: string;
  points: { x: number; y: number; low?: number; high?: number; failed?: boolean; faded?: boolean; label?: string }[];
}

export interface Band {
  name: string;
  color: string;
  low: number;
  high: number;
  mid: number;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b'];
export const color = (i: number) => PALETTE[i % PALETTE.length]!;

/** Round tick values for an axis from 0 to max. */
export function ticks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = 0; v <= max + step * 0.001; v += step) out.push(v);
  if (out[out.length - 1]! < max) out.push(out[out.length - 1]! + step);
  return out;
}

/**
 * A line chart in plain SVG: y from 0 (throughput is never drawn from an arbitrary floor), x labels
 * given, error bars, failed points as red crosses, bands shaded across the chart.
 */
export function lineChart(opts: { title: string; series: Series[]; bands?: Band[]; xLabels: string[]; yUnit: string; yScale: number; width?: number; height?: number }): string {
  const W = opts.width ?? 720;
  const H = opts.height ?? 280;
  const m = { l: 64, r: 16, t: 28, b: 48 };
  const iw = W - m.l - m.r;
  const ih = H - m.t - m.b;
  const ys = [...opts.series.flatMap((s) => s.points.flatMap((p) => [p.y, p.high ?? p.y])), ...(opts.bands ?? []).map((b) => b.high)].filter(Number.isFinite);
  const yt = ticks(Math.max(...ys, 0) / opts.yScale);
  const ymax = yt[yt.length - 1]! * opts.yScale;
  const n = Math.max(opts.xLabels.length, 1);
  const X = (i: number) => m.l + (n === 1 ? iw / 2 : (i * iw) / (n - 1));
  const Y = (v: number) => m.t + ih - (v / ymax) * ih;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(opts.title)}" class="chart">`);
  parts.push(`<text x="${m.l}" y="18" class="chart-title">${esc(opts.title)}</text>`);
  for (const b of opts.bands ?? []) {
    parts.push(`<rect x="${m.l}" y="${Y(b.high).toFixed(1)}" width="${iw}" height="${Math.max(1, Y(b.low) - Y(b.high)).toFixed(1)}" fill="${b.color}" fill-opacity="0.15" class="baseline-band"><title>${esc(b.name)}</title></rect>`);
    parts.push(`<line x1="${m.l}" x2="${m.l + iw}" y1="${Y(b.mid).toFixed(1)}" y2="${Y(b.mid).toFixed(1)}" stroke="${b.color}" stroke-dasharray="4 3" stroke-opacity="0.7"/>`);
  }
  for (const v of yt) {
    const y = Y(v * opts.yScale).toFixed(1);
    parts.push(`<line x1="${m.l}" x2="${m.l + iw}" y1="${y}" y2="${y}" class="grid"/><text x="${m.l - 6}" y="${y}" class="tick" text-anchor="end" dominant-baseline="middle">${+v.toFixed(2)}</text>`);
  }
  parts.push(`<text x="14" y="${m.t + ih / 2}" class="axis-label" transform="rotate(-90 14 ${m.t + ih / 2})" text-anchor="middle">${esc(opts.yUnit)}</text>`);
  const every = Math.ceil(n / 8);
  opts.xLabels.forEach((l, i) => { if (i % every === 0 || i === n - 1) parts.push(`<text x="${X(i).toFixed(1)}" y="${m.t + ih + 18}" class="tick" text-anchor="middle">${esc(l)}</text>`); });
  parts.push(`<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${m.t + ih}" class="axis"/><line x1="${m.l}" x2="${m.l + iw}" y1="${m.t + ih}" y2="${m.t + ih}" class="axis"/>`);
  for (const s of opts.series) {
    const ok = s.points.filter((p) => !p.failed && Number.isFinite(p.y));
    if (ok.length > 1) parts.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${ok.map((p) => `${X(p.x).toFixed(1)},${Y(p.y).toFixed(1)}`).join(' ')}"/>`);
    for (const p of s.points) {
      if (p.failed || !Number.isFinite(p.y)) {
        const x = X(p.x), y = m.t + ih - 6;
        parts.push(`<path d="M${x - 5},${y - 5}L${x + 5},${y + 5}M${x - 5},${y + 5}L${x + 5},${y - 5}" stroke="#d62728" stroke-width="2" class="failed-run"><title>${esc(p.label ?? 'failed')}</title></path>`);
        continue;
      }
      if (p.low !== undefined && p.high !== undefined) parts.push(`<line x1="${X(p.x).toFixed(1)}" x2="${X(p.x).toFixed(1)}" y1="${Y(p.low).toFixed(1)}" y2="${Y(p.high).toFixed(1)}" stroke="${s.color}" stroke-width="1.5"/>`);
      parts.push(`<circle cx="${X(p.x).toFixed(1)}" cy="${Y(p.y).toFixed(1)}" r="3.5" fill="${p.faded ? '#aaa' : s.color}"><title>${esc(p.label ?? '')}</title></circle>`);
    }
  }
  let lx = m.l;
  for (const s of opts.series) {
    parts.push(`<rect x="${lx}" y="${H - 14}" width="10" height="10" fill="${s.color}"/><text x="${lx + 14}" y="${H - 5}" class="legend">${esc(s.name)}</text>`);
    lx += 22 + s.name.length * 7;
  }
  for (const b of opts.bands ?? []) {
    parts.push(`<rect x="${lx}" y="${H - 14}" width="10" height="10" fill="${b.color}" fill-opacity="0.25"/><text x="${lx + 14}" y="${H - 5}" class="legend">${esc(b.name)}</text>`);
    lx += 22 + b.name.length * 7;
  }
  parts.push('</svg>');
  return parts.join('');
}
