import type { CheckOutcome } from '../../checks/outcome.js';
import type { RunRecord } from '../../results/record.js';
import { color, esc, lineChart, type Series } from './svg.js';

interface SpreadEvidence {
  counts: Record<string, number>;
  expectedShares: Record<string, number>;
  chiSquare: { p: number };
  moved?: { share: number; against: string };
}
interface Held {
  port: number;
  backend?: string;
  tokens: number;
  longestGapMs: number;
  broken?: string;
  brokeAtMs?: number;
}
interface EventSeen {
  action: string;
  backend?: string;
  appliedAtMs?: number;
  applied: boolean;
  result: string;
}

/** A spread: a bar per backend (its share of the connections) with a mark at its expected share. */
export function spreadBars(c: CheckOutcome): string {
  const sp = c.evidence.spread as SpreadEvidence | undefined;
  if (!sp) return '';
  const names = Object.keys(sp.counts);
  const total = names.reduce((n, k) => n + sp.counts[k]!, 0) || 1;
  const W = 640,
    rowH = 26,
    m = { l: 90, r: 90, t: 28 };
  const H = m.t + names.length * rowH + 28;
  const iw = W - m.l - m.r;
  const max = Math.max(...names.map((n) => Math.max(sp.counts[n]! / total, sp.expectedShares[n] ?? 0)), 0.01);
  const X = (share: number) => m.l + (share / max) * iw;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" class="chart spread" aria-label="${esc(c.name)}">`,
    `<text x="${m.l}" y="18" class="chart-title">${esc(c.name)}: connections per backend (p = ${sp.chiSquare.p.toPrecision(3)}${sp.moved ? `, moved ${(100 * sp.moved.share).toFixed(0)}% since ${esc(sp.moved.against)}` : ''})</text>`,
  ];
  names.forEach((n, i) => {
    const y = m.t + i * rowH;
    const share = sp.counts[n]! / total;
    const exp = sp.expectedShares[n] ?? 0;
    parts.push(`<text x="${m.l - 6}" y="${y + 13}" class="tick" text-anchor="end">${esc(n)}</text>`);
    parts.push(
      `<rect x="${m.l}" y="${y + 3}" width="${Math.max(0, X(share) - m.l).toFixed(1)}" height="16" fill="${color(i)}"><title>${esc(`${n}: ${sp.counts[n]} (${(100 * share).toFixed(1)}%)`)}</title></rect>`,
    );
    parts.push(
      `<line x1="${X(exp).toFixed(1)}" x2="${X(exp).toFixed(1)}" y1="${y}" y2="${y + 22}" stroke="#222" stroke-width="2" stroke-dasharray="3 2" class="expected"><title>expected ${(100 * exp).toFixed(1)}%</title></line>`,
    );
    parts.push(
      `<text x="${W - m.r + 6}" y="${y + 15}" class="tick">${sp.counts[n]} (${(100 * share).toFixed(0)}%)</text>`,
    );
  });
  parts.push(
    `<text x="${m.l}" y="${H - 8}" class="legend">bars: share of connections; dashed: expected share</text></svg>`,
  );
  return parts.join('');
}

/** A hold: a line per connection over the check's time, a cross where it broke, the events as vertical lines. */
export function holdTimeline(c: CheckOutcome): string {
  const conns = (c.evidence.connections as Held[] | undefined) ?? [];
  if (!conns.length) return '';
  const events = (c.evidence.events as EventSeen[] | undefined) ?? [];
  const end = Math.max(
    (c.evidence.holdMs as number | undefined) ?? c.durationMs,
    ...events.map((e) => e.appliedAtMs ?? 0),
    ...conns.map((x) => x.brokeAtMs ?? 0),
    1,
  );
  const backends = [...new Set(conns.map((x) => x.backend ?? '?'))].sort();
  const rowH = Math.max(4, Math.min(12, Math.floor(240 / conns.length)));
  const W = 720,
    m = { l: 64, r: 16, t: 28, b: 40 };
  const H = m.t + conns.length * rowH + m.b;
  const iw = W - m.l - m.r;
  const X = (ms: number) => m.l + (ms / end) * iw;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" class="chart hold" aria-label="${esc(c.name)}">`,
    `<text x="${m.l}" y="18" class="chart-title">${esc(c.name)}: ${conns.length} held connections over time, by backend; events as lines</text>`,
  ];
  conns.forEach((x, i) => {
    const y = m.t + i * rowH + rowH / 2;
    const stop = x.brokeAtMs ?? end;
    parts.push(
      `<line x1="${m.l}" x2="${X(stop).toFixed(1)}" y1="${y}" y2="${y}" stroke="${color(backends.indexOf(x.backend ?? '?'))}" stroke-width="${Math.max(2, rowH - 3)}"><title>${esc(`port ${x.port}, ${x.backend ?? '?'}: ${x.tokens} tokens, longest gap ${x.longestGapMs} ms${x.broken ? `, broken: ${x.broken}` : ''}`)}</title></line>`,
    );
    if (x.broken)
      parts.push(
        `<path d="M${X(stop) - 4},${y - 4}L${X(stop) + 4},${y + 4}M${X(stop) - 4},${y + 4}L${X(stop) + 4},${y - 4}" stroke="#d62728" stroke-width="2" class="broken"/>`,
      );
  });
  for (const e of events.filter((x) => x.appliedAtMs !== undefined)) {
    const x = X(e.appliedAtMs!).toFixed(1);
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${m.t - 4}" y2="${H - m.b + 4}" stroke="#222" stroke-dasharray="4 3" class="event"><title>${esc(`${e.action}${e.backend ? ` ${e.backend}` : ''} at ${e.appliedAtMs} ms: ${e.result}`)}</title></line>`,
    );
    parts.push(`<text x="${x}" y="${H - m.b + 16}" class="tick" text-anchor="middle">${esc(e.action)}</text>`);
  }
  parts.push(
    `<text x="${m.l}" y="${H - 6}" class="legend">0 – ${(end / 1000).toFixed(1)} s · ${backends.map((b) => esc(b)).join(', ')} (colours) · red cross: broke</text></svg>`,
  );
  return parts.join('');
}

/** rr and crr: p50 and p99 per run, per check. */
export function latencyChart(runs: RunRecord[]): string {
  const checks = [
    ...new Set(
      runs.flatMap((r) => (r.checks ?? []).filter((c) => c.kind === 'rr' || c.kind === 'crr').map((c) => c.name)),
    ),
  ].sort();
  if (!checks.length) return '';
  const series: Series[] = checks.flatMap((check, i) =>
    (['latency_p50_us', 'latency_p99_us'] as const).map((m, j) => ({
      name: `${check} ${m === 'latency_p50_us' ? 'p50' : 'p99'}`,
      color: color(i * 2 + j),
      points: runs.map((r, x) => {
        const v = r.measurements?.[check]?.[m];
        return { x, y: v ?? NaN, failed: v === undefined, label: `${r.time.slice(0, 19)} ${v ?? '–'} µs` };
      }),
    })),
  );
  return lineChart({
    title: 'latency per run (µs; lower is better)',
    series,
    xLabels: runs.map((r) => r.time.slice(5, 16).replace('T', ' ')),
    yUnit: 'µs',
    yScale: 1,
  });
}

/** The behaviour checks of a scenario's runs with one driver: the latest run's spreads and holds, latency over runs. */
export function behaviourCharts(runs: RunRecord[]): string {
  const last = runs[runs.length - 1];
  if (!last) return '';
  const checks = last.checks ?? [];
  return [
    ...checks.filter((c) => c.kind === 'spread').map(spreadBars),
    ...checks.filter((c) => c.kind === 'hold').map(holdTimeline),
    latencyChart(runs),
  ].join('');
}
