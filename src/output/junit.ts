import type { RecordComparison } from '../compare/compare.js';
import { identityLines } from '../results/identity.js';
import { measurementLabel } from './format.js';
import type { RunRecord } from '../results/record.js';
import { xmlText } from './xml.js';

export interface ReportedRun {
  record: RunRecord;
  comparison?: RecordComparison;
  /** --baseline found no stored baseline for this scenario and driver: nothing was compared. */
  baseline?: 'missing';
}

/** A scenario of `run --all` that left no record: skipped (a requirement is missing) or refused. */
export interface NotRun {
  scenario: string;
  outcome: 'skipped' | 'error';
  reason: string;
}

/**
 * JUnit XML: a test case per check, and one per verdict (throughput, LB cost; a regression is a failure,
 * an inconclusive verdict a <skipped> case with its reason); the baseline and the load balancers
 * compared are the suite's properties; a scenario skipped for a missing requirement is a <skipped>
 * case with the reason.
 */
export function junitXml(runs: ReportedRun[], notRun: NotRun[] = []): string {
  const suites = runs.map(({ record: r, comparison, baseline }) => {
    const cls = `zonlab.${r.scenario.name}.${r.driver.name}`;
    const cases: string[] = [];
    for (const c of r.checks) {
      const name =
        c.repetition !== undefined && r.repeat.count > 1
          ? `${c.name} #${c.repetition === 0 ? 'warm-up' : c.repetition}`
          : c.name;
      const body =
        c.status === 'failed'
          ? `<failure message="${xmlText(c.summary)}">${xmlText(c.error ?? c.summary)}</failure>`
          : `<system-out>${xmlText(c.summary)}</system-out>`;
      cases.push(
        `    <testcase classname="${xmlText(cls)}" name="${xmlText(name)}" time="${(c.durationMs / 1000).toFixed(3)}">${body}</testcase>`,
      );
    }
    if (r.status === 'error' && r.error)
      cases.push(
        `    <testcase classname="${xmlText(cls)}" name="lab"><error message="${xmlText(r.error.split('\n')[0]!)}">${xmlText(r.error)}</error></testcase>`,
      );
    for (const row of comparison?.rows ?? []) {
      const v = row.comparison;
      // inconclusive is no pass: CI pages show a skipped case apart, a passing one not at all
      const body =
        v.verdict === 'regressed'
          ? `<failure message="${xmlText(`regressed: ${v.reason}`)}">${xmlText(`${row.check} vs ${comparison!.against}: ${v.reason}`)}</failure>`
          : v.verdict === 'inconclusive'
            ? `<skipped message="${xmlText(`inconclusive: ${v.reason}`)}"/>`
            : `<system-out>${xmlText(`${v.verdict}: ${v.reason}`)}</system-out>`;
      cases.push(
        `    <testcase classname="${xmlText(cls)}" name="${xmlText(`${measurementLabel(row.measurement)} ${row.check} vs baseline`)}">${body}</testcase>`,
      );
    }
    if (baseline === 'missing')
      cases.push(
        `    <testcase classname="${xmlText(cls)}" name="throughput vs baseline"><skipped message="no baseline yet: nothing was compared (zonlab baseline save)"/></testcase>`,
      );
    const failures = cases.filter((c) => c.includes('<failure')).length;
    const errors = cases.filter((c) => c.includes('<error')).length;
    const skipped = cases.filter((c) => c.includes('<skipped')).length;
    // what the verdicts compare with and the load balancer on each side: once a suite, not in every case
    const properties = comparison
      ? [
          `    <properties>`,
          `      <property name="compared with" value="${xmlText(comparison.against)}"/>`,
          ...identityLines(comparison.identity).map((l) => {
            const at = l.indexOf(':');
            return `      <property name="${xmlText(l.slice(0, at))}" value="${xmlText(l.slice(at + 1).trim())}"/>`;
          }),
          `    </properties>`,
        ]
      : [];
    return `  <testsuite name="${xmlText(`${r.scenario.name} (${r.driver.name})`)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" timestamp="${xmlText(r.time)}" time="${(r.durationMs / 1000).toFixed(3)}">\n${[...properties, ...cases].join('\n')}\n  </testsuite>`;
  });
  for (const n of notRun) {
    const body =
      n.outcome === 'skipped'
        ? `<skipped message="${xmlText(n.reason)}"/>`
        : `<error message="${xmlText(n.reason.split('\n')[0]!)}">${xmlText(n.reason)}</error>`;
    suites.push(
      `  <testsuite name="${xmlText(n.scenario)}" tests="1" failures="0" errors="${n.outcome === 'error' ? 1 : 0}" skipped="${n.outcome === 'skipped' ? 1 : 0}">\n    <testcase classname="${xmlText(`zonlab.${n.scenario}`)}" name="${xmlText(n.scenario)}">${body}</testcase>\n  </testsuite>`,
    );
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="zonlab">\n${suites.join('\n')}\n</testsuites>\n`;
}
