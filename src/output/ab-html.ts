import type { AbRecord } from '../session/ab/record.js';
import { describeSide, stopReason } from './ab-summary.js';
import { measurementLabel, signedPct } from './format.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const COLOR: Record<string, string> = { regressed: '#c00', improved: '#080', unchanged: '#333', inconclusive: '#b80' };

/**
 * The report's A/B section: per A/B, each judged measurement's ratio B/A as a dot with its interval
 * as a bar, on a log scale around 1, the threshold as dashed lines (a bar wholly past one is a
 * verdict); then the table of figures and who A and B were.
 */
export function abSection(records: AbRecord[]): string {
  if (!records.length) return '';
  const latestFirst = [...records].sort((x, y) => y.time.localeCompare(x.time));
  return `<section id="ab"><h2>A/B in one job (zonlab ab)</h2><p class="desc">B/A per round, paired; the bar is the interval the verdict was drawn from, the dashed lines the threshold.</p>
${latestFirst.map(abBlock).join('\n')}</section>`;
}

function abBlock(r: AbRecord): string {
  const rows = r.verdicts;
  const head = `<h3>${esc(r.scenario.name)} · ${esc(r.time.replace('T', ' ').slice(0, 19))} · ${esc(r.machine)}</h3>
<p class="meta">A: ${esc(describeSide(r.a))}<br>B: ${esc(describeSide(r.b))}<br>${esc(stopReason(r))}${r.error ? `<br><span class="corrupt">${esc(r.status)}: ${esc(r.error)}</span>` : ''}</p>`;
  if (!rows.length) return head;
  const table = `<table><thead><tr><th>check</th><th>what</th><th>B/A</th><th>interval</th><th>verdict</th><th>samples a side</th></tr></thead><tbody>${rows.map((v) => `<tr><td>${esc(v.check)}</td><td>${esc(measurementLabel(v.measure))} (${v.direction} is better)</td><td>${signedPct(v.ratio)}</td><td>${v.samples >= 3 ? `${signedPct(v.low)} … ${signedPct(v.high)}` : '–'}</td><td style="color:${COLOR[v.verdict]};font-weight:600">${esc(v.verdict)}</td><td>${v.samples}</td></tr>`).join('')}</tbody></table>`;
  return `${head}${intervalChart(r)}${table}`;
}

/** A forest plot on a log axis: one row per check × measurement. */
export function intervalChart(r: AbRecord): string {
  const rows = r.verdicts;
  const d = r.plan.maxDrop;
  const values = rows.flatMap((v) => [v.low, v.high, v.ratio]).filter((x) => x > 0 && Number.isFinite(x));
  const span = Math.max(Math.log(1 + 2 * d), ...values.map((x) => Math.abs(Math.log(x)))) * 1.1;
  const [w, left, right, rowH, top] = [640, 200, 20, 26, 36];
  const x = (ratio: number) => left + ((Math.log(ratio) + span) / (2 * span)) * (w - left - right);
  const h = top + rows.length * rowH + 20;
  // the threshold's labels lean away from 1 (a wide interval packs them close), the 1's sits below
  const vline = (ratio: number, dash: boolean, label: string, anchor: 'start' | 'middle' | 'end') =>
    `<line x1="${x(ratio).toFixed(1)}" x2="${x(ratio).toFixed(1)}" y1="${top - 6}" y2="${h - 18}" stroke="${dash ? '#999' : '#555'}"${dash ? ' stroke-dasharray="4 3"' : ''}/><text class="tick" x="${(x(ratio) + (anchor === 'start' ? 3 : anchor === 'end' ? -3 : 0)).toFixed(1)}" y="${dash ? top - 8 : h - 4}" text-anchor="${anchor}">${esc(label)}</text>`;
  const marks = rows.map((v, i) => {
    const y = top + i * rowH + rowH / 2;
    const c = COLOR[v.verdict] ?? '#333';
    const bar =
      v.samples >= 3 && v.low > 0
        ? `<line x1="${x(v.low).toFixed(1)}" x2="${x(v.high).toFixed(1)}" y1="${y}" y2="${y}" stroke="${c}" stroke-width="3"/>`
        : '';
    return `<text class="legend" x="4" y="${y + 4}">${esc(`${v.check} · ${measurementLabel(v.measure)}`)}</text>${bar}${v.ratio > 0 ? `<circle cx="${x(v.ratio).toFixed(1)}" cy="${y}" r="4" fill="${c}"><title>${esc(`${signedPct(v.ratio)} ${v.verdict}: ${v.reason}`)}</title></circle>` : ''}`;
  });
  return `<svg class="chart" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" role="img" aria-label="${esc(`A/B ${r.scenario.name}: B/A with intervals`)}"><text class="chart-title" x="4" y="14">${esc(`${r.scenario.name}: B/A (log scale)`)}</text>${vline(1, false, 'B = A', 'middle')}${vline(1 - d, true, signedPct(1 - d), 'end')}${vline(1 + d, true, signedPct(1 + d), 'start')}${marks.join('')}</svg>`;
}
