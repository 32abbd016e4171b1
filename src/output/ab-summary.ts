import type { AbRecord, AbSideIdentity } from '../session/ab/record.js';
import { worstVerdict, type AbVerdict } from '../session/ab/rounds.js';
import { measurementLabel, signedPct } from './format.js';
import { paint, table } from './table.js';

/** "embedded:/tmp/busy.o — embedded /tmp/busy.o sha256:… · zonlb_xdp tag 0123…" */
export function describeSide(i: AbSideIdentity): string {
  const own = i.set?.length ? ` (${i.set.map((kv) => `--set ${kv}`).join(' ')})` : '';
  return [`${i.spec}${own} — ${i.driver} ${i.version}`, ...i.programs.map((p) => `${p.name} tag ${p.tag}`)].join(' · ');
}

const STOPS: Record<AbRecord['stoppedBy'], string> = {
  conclusive: 'every verdict was clear at a planned look',
  fixed: 'the --repeat rounds were taken',
  max: 'the --max-repeat cap was reached',
  budget: 'the --budget would not hold another round',
  failed: 'a side failed',
  interrupted: 'interrupted',
};

export const stopReason = (r: Pick<AbRecord, 'stoppedBy' | 'rounds'>) =>
  `${r.rounds} round(s) a side; stopped: ${STOPS[r.stoppedBy]}`;

const paintVerdict = (v: string) =>
  v === 'regressed'
    ? paint(v, 'red')
    : v === 'improved'
      ? paint(v, 'green')
      : v === 'inconclusive'
        ? paint(v, 'yellow')
        : v;

/** A row of a verdict: the check, what, B/A and its interval, the verdict, the samples a side. */
export function verdictCells(v: AbVerdict): string[] {
  const interval = v.samples >= 3 ? `${signedPct(v.low)} … ${signedPct(v.high)}` : '-';
  return [
    v.check,
    `${measurementLabel(v.measure)} (${v.direction} is better)`,
    `${v.ratio.toFixed(3)} (${signedPct(v.ratio)})`,
    interval,
    paintVerdict(v.verdict),
    String(v.samples),
  ];
}

export const VERDICT_HEADER = ['check', 'what', 'B/A', 'interval', 'verdict', 'samples a side'];

/** The terminal's account of one A/B: who A and B were, the verdicts, why sampling stopped. */
export function printAb(
  r: AbRecord,
  file: string | undefined,
  out: (s: string) => void = (s) => process.stdout.write(s),
): void {
  const lines = [
    `A/B ${r.scenario.name} on ${r.machine}:`,
    `  A: ${describeSide(r.a)}`,
    `  B: ${describeSide(r.b)}`,
    `  ${stopReason(r)}; rounds A B, B A, …`,
  ];
  if (r.error) lines.push(`  ${paint(r.status, 'red')}: ${r.error}`);
  out(`${lines.join('\n')}\n`);
  if (r.verdicts.length) out(`${table(VERDICT_HEADER, r.verdicts.map(verdictCells))}\n`);
  else if (r.status === 'passed') out('  no throughput measurement in common: nothing to judge\n');
  for (const v of r.verdicts) out(`  ${v.check} ${measurementLabel(v.measure)}: ${v.reason}\n`);
  printInconclusive([r], out);
  if (file) out(`A/B record: ${file}\n`);
}

/** Inconclusive is no pass: said loudly, as NO BASELINE YET is, with what to do. */
export function printInconclusive(rs: AbRecord[], out: (s: string) => void = (s) => process.stderr.write(s)): void {
  const open = rs.flatMap((r) =>
    r.verdicts
      .filter((v) => v.verdict === 'inconclusive')
      .map((v) => `${r.scenario.name} ${v.check} ${measurementLabel(v.measure)}`),
  );
  if (!open.length) return;
  out(
    `${paint(`INCONCLUSIVE: ${open.join(', ')}: the noise is wider than the threshold, so neither "unchanged" nor "regressed" could be said (exit 0, not a pass of the gate)`, 'yellow')}\n  take more rounds: --repeat auto --max-repeat 40 (or a longer --set duration=…), or raise --max-drop\n`,
  );
  if (process.env.GITHUB_ACTIONS === 'true') out(`::warning title=zonlab ab: inconclusive::${open.join(', ')}\n`);
}

/** The --json document of one A/B (at least worst, verdicts, a, b). */
export function abJson(r: AbRecord, file: string | undefined) {
  return {
    scenario: r.scenario.name,
    status: r.status,
    exitCode: r.exitCode,
    worst: r.worst ?? null,
    verdicts: r.verdicts,
    a: r.a,
    b: r.b,
    rounds: r.rounds,
    stoppedBy: r.stoppedBy,
    machine: r.machine,
    error: r.error,
    abRecord: file,
    id: r.id,
  };
}

/** The worst verdict over several A/Bs. */
export const worstOf = (rs: AbRecord[]) => worstVerdict(rs.flatMap((r) => r.verdicts));
