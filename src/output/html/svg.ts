import { wrapWords } from '../table.js';

/** Text from files (scenario names, descriptions, interface names) may be hostile: escape it all. */
export function esc(s: unknown): string {
  return String(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
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

/** Approximate widths of a character of the title (13 px, bold) and of a tick label (11 px). */
const TITLE_CHAR = 7.4;
const TICK_CHAR = 6.2;

/**
 * The x labels that fit: none over another (the last one is kept, the one before it gives way), and
 * each moved inside the chart, so the last is not clipped at the right edge.
 */
export function xLabelsShown(labels: string[], X: (i: number) => number, W: number): { x: number; text: string }[] {
  const placed = labels.map((text, i) => {
    const half = (text.length * TICK_CHAR) / 2;
    return { x: Math.min(Math.max(X(i), half + 2), W - half - 2), half, text };
  });
  const shown: typeof placed = [];
  placed.forEach((l, i) => {
    const prev = shown[shown.length - 1];
    const clear = (a: typeof l, b: typeof l) => b.x - b.half - (a.x + a.half) >= 8;
    if (!prev || clear(prev, l)) shown.push(l);
    else if (i === placed.length - 1) {
      shown.pop();
      if (!shown.length || clear(shown[shown.length - 1]!, l)) shown.push(l);
    }
  });
  return shown.map(({ x, text }) => ({ x, text }));
}

/**
 * A line chart in plain SVG: y from 0 (throughput is never drawn from an arbitrary floor), x labels
 * given, error bars, failed points as red crosses, bands shaded across the chart.
 */
export function lineChart(opts: {
  title: string;
  series: Series[];
  bands?: Band[];
  xLabels: string[];
  xValues?: number[];
  yUnit: string;
  yScale: number;
  width?: number;
  height?: number;
}): string {
  const W = opts.width ?? 720;
  // a title wider than the chart goes on two lines or more (it was cut off); the plot moves down
  const title = wrapWords(opts.title, Math.floor((W - 64 - 8) / TITLE_CHAR));
  const H = (opts.height ?? 280) + 16 * (title.length - 1);
  const m = { l: 64, r: 16, t: 28 + 16 * (title.length - 1), b: 48 };
  const iw = W - m.l - m.r;
  const ih = H - m.t - m.b;
  const ys = [
    ...opts.series.flatMap((s) => s.points.flatMap((p) => [p.y, p.high ?? p.y])),
    ...(opts.bands ?? []).map((b) => b.high),
  ].filter(Number.isFinite);
  const yt = ticks(Math.max(...ys, 0) / opts.yScale);
  const ymax = yt[yt.length - 1]! * opts.yScale;
  const n = Math.max(opts.xLabels.length, 1);
  // with xValues (the runs' times) points sit where they happened, not evenly
  const xv = opts.xValues?.length === opts.xLabels.length ? opts.xValues : undefined;
  const [x0, x1] = xv ? [Math.min(...xv), Math.max(...xv)] : [0, n - 1];
  const X = (i: number) => m.l + (x1 === x0 ? iw / 2 : (((xv?.[i] ?? i) - x0) * iw) / (x1 - x0));
  const Y = (v: number) => m.t + ih - (v / ymax) * ih;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(opts.title)}" class="chart">`,
  );
  title.forEach((line, k) => parts.push(`<text x="${m.l}" y="${18 + 16 * k}" class="chart-title">${esc(line)}</text>`));
  for (const b of opts.bands ?? []) {
    parts.push(
      `<rect x="${m.l}" y="${Y(b.high).toFixed(1)}" width="${iw}" height="${Math.max(1, Y(b.low) - Y(b.high)).toFixed(1)}" fill="${b.color}" fill-opacity="0.15" class="baseline-band"><title>${esc(b.name)}</title></rect>`,
    );
    parts.push(
      `<line x1="${m.l}" x2="${m.l + iw}" y1="${Y(b.mid).toFixed(1)}" y2="${Y(b.mid).toFixed(1)}" stroke="${b.color}" stroke-dasharray="4 3" stroke-opacity="0.7"/>`,
    );
  }
  for (const v of yt) {
    const y = Y(v * opts.yScale).toFixed(1);
    parts.push(
      `<line x1="${m.l}" x2="${m.l + iw}" y1="${y}" y2="${y}" class="grid"/><text x="${m.l - 6}" y="${y}" class="tick" text-anchor="end" dominant-baseline="middle">${+v.toFixed(2)}</text>`,
    );
  }
  parts.push(
    `<text x="14" y="${m.t + ih / 2}" class="axis-label" transform="rotate(-90 14 ${m.t + ih / 2})" text-anchor="middle">${esc(opts.yUnit)}</text>`,
  );
  for (const l of xLabelsShown(opts.xLabels, X, W))
    parts.push(
      `<text x="${l.x.toFixed(1)}" y="${m.t + ih + 18}" class="tick" text-anchor="middle">${esc(l.text)}</text>`,
    );
  parts.push(
    `<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${m.t + ih}" class="axis"/><line x1="${m.l}" x2="${m.l + iw}" y1="${m.t + ih}" y2="${m.t + ih}" class="axis"/>`,
  );
  for (const s of opts.series) {
    const ok = s.points.filter((p) => !p.failed && Number.isFinite(p.y));
    if (ok.length > 1)
      parts.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${ok.map((p) => `${X(p.x).toFixed(1)},${Y(p.y).toFixed(1)}`).join(' ')}"/>`,
      );
    for (const p of s.points) {
      if (p.failed || !Number.isFinite(p.y)) {
        const x = X(p.x),
          y = m.t + ih - 6;
        parts.push(
          `<path d="M${x - 5},${y - 5}L${x + 5},${y + 5}M${x - 5},${y + 5}L${x + 5},${y - 5}" stroke="#d62728" stroke-width="2" class="failed-run"><title>${esc(p.label ?? 'failed')}</title></path>`,
        );
        continue;
      }
      if (p.low !== undefined && p.high !== undefined)
        parts.push(
          `<line x1="${X(p.x).toFixed(1)}" x2="${X(p.x).toFixed(1)}" y1="${Y(p.low).toFixed(1)}" y2="${Y(p.high).toFixed(1)}" stroke="${s.color}" stroke-width="1.5"/>`,
        );
      parts.push(
        `<circle cx="${X(p.x).toFixed(1)}" cy="${Y(p.y).toFixed(1)}" r="3.5" fill="${p.faded ? '#aaa' : s.color}"><title>${esc(p.label ?? '')}</title></circle>`,
      );
    }
  }
  let lx = m.l;
  for (const s of opts.series) {
    parts.push(
      `<rect x="${lx}" y="${H - 14}" width="10" height="10" fill="${s.color}"/><text x="${lx + 14}" y="${H - 5}" class="legend">${esc(s.name)}</text>`,
    );
    lx += 22 + s.name.length * 7;
  }
  for (const b of opts.bands ?? []) {
    parts.push(
      `<rect x="${lx}" y="${H - 14}" width="10" height="10" fill="${b.color}" fill-opacity="0.25"/><text x="${lx + 14}" y="${H - 5}" class="legend">${esc(b.name)}</text>`,
    );
    lx += 22 + b.name.length * 7;
  }
  parts.push('</svg>');
  return parts.join('');
}
