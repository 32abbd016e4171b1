import path from 'node:path';
import { ExitCode, UserError, worstExit } from '../../errors.js';
import { OBJECT_ENV } from '../../drivers/embedded/index.js';
import { abJson, printAb, printInconclusive, verdictCells, VERDICT_HEADER, worstOf } from '../../output/ab-summary.js';
import { writeAbReports } from '../../output/ab-reports.js';
import { paint, table } from '../../output/table.js';
import { resultsDir } from '../../paths.js';
import { listScenarioFiles, loadScenario } from '../../scenario/load.js';
import { isThroughput, type Scenario } from '../../scenario/types.js';
import type { LbSpec } from '../../session/ab/lb-spec.js';
import { writeAbRecord, type AbRecord } from '../../session/ab/record.js';
import { abPlan } from '../../session/ab/rounds.js';
import { runAb } from '../../session/ab/run-ab.js';
import { hostFacts } from '../../host-facts.js';
import { hostname } from 'node:os';
import { applyCommon, progressPrinter, type CommonArgs } from '../common.js';
import { creatableDir, setsDeclared, setValues, type Shard } from '../options.js';
import { preflight } from '../preflight.js';
import { loadFor, requireChecks } from '../scenario-arg.js';
import { childReason, shardOf } from './run-all.js';

export interface AbArgs extends CommonArgs {
  scenario?: string;
  a: LbSpec;
  b: LbSpec;
  aSet: string[];
  bSet: string[];
  all: boolean;
  shard?: Shard;
  repeat?: number | 'auto';
  maxRepeat?: number;
  budget?: number;
  maxDrop?: number;
  junit?: string;
  markdown?: string;
  scenarios?: string;
}

/** `zonlab ab NAME --a LB --b LB`, or `--all`: each A/B recorded, one table, the worst exit code. */
export async function abCommand(a: AbArgs): Promise<number> {
  applyCommon(a);
  const progress = progressPrinter(a);
  const done: { record: AbRecord; file?: string }[] = [];
  const targets = a.all ? (a.shard ? shardOf(listScenarioFiles(), a.shard) : listScenarioFiles()) : [a.scenario!];
  const codes: number[] = [];
  for (const ref of targets) {
    if (a.all) progress(`=== ${path.basename(ref, '.toml')}`);
    let s: Scenario;
    try {
      s = loadFor(ref, { ...a, set: commonSets(a, ref) });
      requireChecks(s);
      if (!s.checks.some(isThroughput)) {
        // nothing to compare: --all compares the scenarios that measure
        if (a.all) {
          progress(`${s.name}: no throughput check, nothing to compare`);
          continue;
        }
        throw new UserError(
          `${s.name} has no throughput check (iperf, iperf3): an A/B has nothing to compare`,
          ExitCode.badInput,
          ["zonlab run checks it; zonlab ab compares throughput and the load balancer's cost"],
        );
      }
      await preflightSides(ref, sidesOf(a, ref), a);
      // after preflight: without root each side is a skip, whatever the folder
      creatableDir('--results', resultsDir());
      if ((path.resolve(resultsDir()) + '/').startsWith('/run/'))
        throw new UserError(
          `the results folder ${resultsDir()}: inside the sandbox /run is the sandbox's own, and a record written there is lost with it`,
          ExitCode.badInput,
          ['write it outside /run'],
        );
    } catch (err) {
      if (!a.all || !(err instanceof UserError)) throw err;
      // --all: a scenario that cannot run here is a row of the table, not the end of the others
      done.push({ record: notRun(ref, a, err) });
      codes.push(err.exitCode);
      continue;
    }
    const plan = abPlan({
      repeat: a.repeat ?? 'auto',
      maxRepeat: a.maxRepeat,
      budgetS: a.budget,
      maxDrop: a.maxDrop ?? s.maxDrop ?? 0.1,
    });
    const record = await runAb(s, sidesOf(a, ref), {
      plan,
      repeat: a.repeat ?? 'auto',
      sideArgs: sideArgs(a, s),
      progress,
      reasonOf: childReason,
    });
    const file = record.status === 'skipped' ? undefined : writeAbRecord(record, resultsDir());
    done.push({ record, file });
    codes.push(record.exitCode);
    if (!a.all) break;
    if (record.status === 'interrupted') break;
  }
  const records = done.map((d) => d.record);
  writeAbReports(records, a);
  if (a.json) {
    const docs = done.map((d) => abJson(d.record, d.file));
    const doc = a.all
      ? {
          worst: worstOf(records) ?? null,
          exitCode: worstExit(codes),
          verdicts: docs.flatMap((d) => d.verdicts.map((v) => ({ scenario: d.scenario, ...v }))),
          a: a.a,
          b: a.b,
          scenarios: docs,
        }
      : docs[0];
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  } else if (!a.all) {
    printAb(records[0]!, done[0]!.file);
  } else {
    printAll(done);
  }
  if (!a.json && a.all) printInconclusive(records);
  const interrupted = records.find((r) => r.status === 'interrupted');
  return interrupted ? interrupted.exitCode : worstExit(codes);
}

/** The two sides, each with its own parameters (with --all, those the scenario declares). */
function sidesOf(a: AbArgs, ref: string): Record<'a' | 'b', LbSpec> {
  const own = (sets: string[]) => (a.all ? setsFor(ref, sets) : sets);
  return { a: { ...a.a, set: own(a.aSet ?? []) }, b: { ...a.b, set: own(a.bSet ?? []) } };
}

/** Each side as a run would meet it, with its own parameters: the driver found, the build there, what the scenario needs. */
async function preflightSides(ref: string, sides: Record<'a' | 'b', LbSpec>, a: AbArgs): Promise<void> {
  for (const lb of [sides.a, sides.b]) {
    // loaded again with the side's own parameters (its warnings were printed with the common ones)
    const s = loadScenario(ref, { set: setValues([...commonSets(a, ref), ...(lb.set ?? [])]) });
    const saved = process.env[OBJECT_ENV];
    if (lb.object) process.env[OBJECT_ENV] = lb.object;
    else delete process.env[OBJECT_ENV];
    try {
      await preflight(s, { ...a, lb: lb.driver, zonlb: lb.zonlb, host: false });
    } finally {
      if (saved === undefined) delete process.env[OBJECT_ENV];
      else process.env[OBJECT_ENV] = saved;
    }
  }
}

/** What both sides take alike: the scenario's --set values, where records go, --verbose. */
function sideArgs(a: AbArgs, s: Scenario): string[] {
  const sets = commonSets(a, s.files[0]!).flatMap((kv) => ['--set', kv]);
  return ['--results', resultsDir(), ...sets, ...(a.verbose ? ['--verbose'] : [])];
}

/** The --set values both sides take: with --all, those the scenario declares. */
const commonSets = (a: AbArgs, ref: string) => (a.all ? setsFor(ref, a.set) : a.set);

/** With --all, --set goes to the scenarios that declare the parameter (as run --all does). */
function setsFor(ref: string, sets: string[]): string[] {
  let params: Record<string, unknown> = {};
  try {
    params = loadScenario(ref).params;
  } catch {
    /* refused later, with its reason */
  }
  return setsDeclared(sets, params);
}

/** A scenario of --all that did not run: skipped (a requirement is missing) or refused. */
function notRun(ref: string, a: AbArgs, err: UserError): AbRecord {
  const side = (lb: LbSpec) => ({
    spec: lb.spec,
    driver: lb.driver,
    version: 'unknown',
    runId: '',
    status: 'not run',
    programs: [],
  });
  return {
    schema: 1,
    kind: 'ab',
    id: '',
    time: new Date().toISOString(),
    durationMs: 0,
    scenario: { name: path.basename(ref, '.toml'), hash: '', params: {} },
    machine: hostname(),
    host: hostFacts(),
    a: side(a.a),
    b: side(a.b),
    plan: { repeat: a.repeat ?? 'auto', max: 0, looks: [], maxDrop: a.maxDrop ?? 0.1 },
    rounds: 0,
    stoppedBy: 'failed',
    samples: { a: [], b: [] },
    verdicts: [],
    status: err.exitCode === ExitCode.skipped ? 'skipped' : 'error',
    error: [err.message.replace(/^skipped: /, ''), ...err.details].join('; '),
    exitCode: err.exitCode,
  };
}

/** --all: one table, a row per scenario and judged measurement. */
function printAll(done: { record: AbRecord; file?: string }[]): void {
  const rows: string[][] = [];
  for (const { record: r } of done) {
    for (const v of r.verdicts) rows.push([r.scenario.name, ...verdictCells(v), r.stoppedBy]);
    if (!r.verdicts.length)
      rows.push([
        r.scenario.name,
        '',
        '',
        '',
        '',
        r.status === 'skipped'
          ? paint('SKIP', 'yellow')
          : r.status === 'passed'
            ? 'nothing to judge'
            : paint(r.status.toUpperCase(), 'red'),
        '',
        r.error ?? '',
      ]);
  }
  const first = done.find((d) => d.record.a.version !== 'unknown')?.record;
  if (first) process.stdout.write(`A: ${first.a.spec} (${first.a.version})\nB: ${first.b.spec} (${first.b.version})\n`);
  process.stdout.write(`${table(['scenario', ...VERDICT_HEADER, 'stopped'], rows)}\n`);
}
