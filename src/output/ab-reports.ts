import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AbRecord } from '../session/ab/record.js';
import { describeSide, stopReason, worstOf } from './ab-summary.js';
import { measurementLabel, signedPct } from './format.js';
import { xmlText } from './xml.js';

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/**
 * JUnit: a suite per A/B, a case per check × measurement. Regressed is a failure; inconclusive is
 * <skipped> with the reason (neither a pass nor a failure of the gate); a side that failed is an error.
 */
export function abJunitXml(rs: AbRecord[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="zonlab ab">\n${abJunitSuites(rs).join('\n')}\n</testsuites>\n`;
}

/** The <testsuite> elements alone (results merge adds them to the runs' file). */
export function abJunitSuites(rs: AbRecord[]): string[] {
  return rs.map((r) => {
    const cls = `zonlab.ab.${r.scenario.name}`;
    const who = `A: ${describeSide(r.a)}\nB: ${describeSide(r.b)}\n${stopReason(r)}`;
    const cases = r.verdicts.map((v) => {
      const name = `${v.check} ${measurementLabel(v.measure)} B/A`;
      const text = `${v.verdict}: ${v.reason}\n${who}`;
      const body =
        v.verdict === 'regressed'
          ? `<failure message="${xmlText(`regressed: ${v.reason}`)}">${xmlText(text)}</failure>`
          : v.verdict === 'inconclusive'
            ? `<skipped message="${xmlText(`inconclusive: ${v.reason}`)}"/><system-out>${xmlText(text)}</system-out>`
            : `<system-out>${xmlText(text)}</system-out>`;
      return `    <testcase classname="${xmlText(cls)}" name="${xmlText(name)}">${body}</testcase>`;
    });
    if (r.status === 'skipped')
      cases.push(
        `    <testcase classname="${xmlText(cls)}" name="${xmlText(r.scenario.name)}"><skipped message="${xmlText(r.error ?? 'skipped')}"/></testcase>`,
      );
    else if (r.status !== 'passed')
      cases.push(
        `    <testcase classname="${xmlText(cls)}" name="sides"><error message="${xmlText(`${r.status}: ${(r.error ?? '').split('\n')[0]}`)}">${xmlText(`${r.error ?? r.status}\n${who}`)}</error></testcase>`,
      );
    const count = (tag: string) => cases.filter((c) => c.includes(`<${tag}`)).length;
    return `  <testsuite name="${xmlText(`A/B ${r.scenario.name}`)}" tests="${cases.length}" failures="${count('failure')}" errors="${count('error')}" skipped="${count('skipped')}" timestamp="${xmlText(r.time)}" time="${(r.durationMs / 1000).toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>`;
  });
}

const ICON: Record<string, string> = {
  regressed: '🔻 regressed',
  improved: '🔺 improved',
  unchanged: '✅ unchanged',
  inconclusive: '❔ inconclusive',
};

/** A table for a CI page: a row per scenario × check × measurement, an overall verdict line above it, who A and B were below. */
export function abMarkdown(rs: AbRecord[]): string {
  const worst = worstOf(rs);
  const failed = rs.filter((r) => r.status === 'failed' || r.status === 'error');
  const overall = failed.length
    ? `❌ **${failed.length} A/B(s) failed** (${failed.map((r) => r.scenario.name).join(', ')})`
    : worst === 'regressed'
      ? '🔻 **B regressed**'
      : worst === 'inconclusive'
        ? '❔ **inconclusive**: the noise was wider than the threshold somewhere; nothing regressed beyond doubt'
        : worst
          ? `✅ **no regression** (worst: ${worst})`
          : '⚠️ **nothing compared**';
  const lines = [
    '## zonlab ab',
    '',
    `Overall: ${overall}`,
    '',
    '| scenario | check | what | B/A | 95% interval | verdict | samples a side | stopped |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rs) {
    for (const v of r.verdicts)
      lines.push(
        `| ${cell(r.scenario.name)} | ${cell(v.check)} | ${measurementLabel(v.measure)} | ${signedPct(v.ratio)} | ${v.samples >= 3 ? `${signedPct(v.low)} … ${signedPct(v.high)}` : '-'} | ${ICON[v.verdict]} | ${v.samples} | ${r.stoppedBy} |`,
      );
    if (!r.verdicts.length)
      lines.push(
        `| ${cell(r.scenario.name)} | | | | | ${r.status === 'skipped' ? '⏭️ skipped' : r.status === 'passed' ? 'nothing to judge' : `❌ ${r.status}`} | | ${cell(r.error ?? '')} |`,
      );
  }
  const sides = [...new Set(rs.flatMap((r) => [`- A: ${cell(describeSide(r.a))}`, `- B: ${cell(describeSide(r.b))}`]))];
  return `${[...lines, '', ...sides].join('\n')}\n`;
}

/** --junit FILE, --markdown FILE and $GITHUB_STEP_SUMMARY. */
export function writeAbReports(rs: AbRecord[], a: { junit?: string; markdown?: string }): void {
  for (const f of [a.junit, a.markdown]) if (f) mkdirSync(path.dirname(path.resolve(f)), { recursive: true });
  if (a.junit) writeFileSync(a.junit, abJunitXml(rs));
  const md = a.markdown || process.env.GITHUB_STEP_SUMMARY ? abMarkdown(rs) : undefined;
  if (a.markdown) writeFileSync(a.markdown, md!);
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, md!);
}
