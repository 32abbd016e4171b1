import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OBJECT_ENV } from '../../drivers/embedded/index.js';
import { ExitCode, signalExit, UserError } from '../../errors.js';
import { buildMutants } from '../../mutants/build.js';
import { dataPaths, MUTANTS, type DataPath } from '../../mutants/catalogue.js';
import { mutantsExit, mutantVerdict, pathVerdict, type ChildCheck, type PathVerdict } from '../../mutants/judge.js';
import { mutantsTable } from '../../output/mutants.js';
import { applyCommon, progressPrinter, requireRoot, stopOnSignal, type CommonArgs } from '../common.js';
import { slots } from '../../slots.js';
import { zonlabChild } from '../zonlab-child.js';
import { preflight } from '../preflight.js';
import { loadFor, requireChecks } from '../scenario-arg.js';
import { childReason } from './run-all.js';

export interface MutantsArgs extends CommonArgs {
  scenario: string;
  scenarios?: string;
  /** Only these mutants (default: every one). */
  only?: string[];
  /** How many mutant runs at once (default 1). */
  jobs?: number;
}

/**
 * `zonlab mutants NAME`: the scenario run once with the shipped build (it must pass, or a mutant's
 * failure proves nothing), then once per mutant and data path, each a child `zonlab run --json` in
 * its own sandbox with ZONLAB_XDP_OBJECT naming the mutant's object. The objects and the children's
 * records go to a scratch folder, removed at the end: results/ never sees a mutant.
 */
export async function mutantsCommand(a: MutantsArgs): Promise<number> {
  applyCommon(a);
  if (a.lb && a.lb !== 'embedded')
    throw new UserError(
      `zonlab mutants builds mutants of the embedded load balancer: --lb ${a.lb} has none`,
      ExitCode.badInput,
      ['leave --lb out, or give --lb embedded'],
    );
  const s = loadFor(a.scenario, { ...a, lb: 'embedded' });
  requireChecks(s);
  if (!s.lb.config)
    throw new UserError(`${s.name} has no zonlb.toml: there is no load balancer to mutate`, ExitCode.badInput, [
      '[lb] config = "NAME.zonlb.toml" in the scenario',
    ]);
  requireRoot('mutants');
  await preflight(s, { ...a, lb: 'embedded' });
  const progress = progressPrinter(a);
  const sets = [...a.set];
  // the throughput checks run for a second unless told: a mutant shows in the first packets
  if ('duration' in s.params && !sets.some((x) => x.startsWith('duration='))) sets.push('duration=1');
  const scratch = mkdtempSync(path.join(tmpdir(), 'zonlab-mutants-'));
  const stop = stopOnSignal();
  try {
    const chosen = MUTANTS.filter((m) => !a.only?.length || a.only.includes(m.name));
    const objects = await buildMutants(chosen, scratch);
    const paths = dataPaths(s);
    const child = async (label: string, env: Record<string, string>, p: DataPath) => {
      if (stop.signal) throw new UserError(`${stop.signal}: stopped`, signalExit(stop.signal));
      progress(`${label} (${p})…`);
      const t0 = Date.now();
      const args = [
        'run',
        a.scenario,
        '--lb',
        'embedded',
        '--json',
        ...sets.flatMap((x) => ['--set', x]),
        ...(a.scenarios ? ['--scenarios', a.scenarios] : []),
        ...(a.verbose ? ['--verbose'] : []),
      ];
      const forced: Record<string, string> = p === 'xdp' && paths.includes('tc') ? { ZONLAB_XDP_MODE: 'native' } : {};
      const run = zonlabChild(args, {
        env: { ...env, ...forced, ZONLAB_RESULTS: path.join(scratch, 'results'), GITHUB_STEP_SUMMARY: '' },
      });
      const r = await stop.during(run.process, run.done);
      let doc: { status?: string; checks?: ChildCheck[] } | undefined;
      try {
        doc = JSON.parse(r.stdout);
      } catch {
        doc = undefined;
      }
      return pathVerdict(p, r.code, doc, childReason(r.stderr), Date.now() - t0);
    };
    // the shipped build first, on every path: a scenario that fails without a mutant kills nothing
    for (const p of paths) {
      const ref = await child('the shipped build', {}, p);
      if (ref.outcome !== 'survived') {
        const why =
          ref.outcome === 'killed'
            ? `its checks fail with the shipped build: ${ref.by.map((b) => `${b.name}: ${b.summary}`).join('; ')}`
            : ref.why;
        throw new UserError(`zonlab mutants ${s.name} (${p}): ${why}`, ExitCode.checkFailed, [
          'a mutant is judged by the checks that pass without it: make zonlab run pass first',
        ]);
      }
    }
    // a killed mutant's run mostly waits out its failing checks' timeouts: --jobs runs go side by side
    const inSlot = slots(a.jobs ?? 1);
    const verdicts = await allSettled(
      chosen.map(async (m) => {
        const results = await allSettled(
          paths.map(async (p): Promise<PathVerdict> => {
            const why = m.applies(s, p);
            if (why) return { path: p, applicable: false, why, by: [] };
            const v = await inSlot(() => child(`mutant ${m.name}`, { [OBJECT_ENV]: objects.get(m.name)! }, p));
            progress(
              `  mutant ${m.name} (${p}): ${v.outcome}${v.by.length ? ` by ${v.by.map((b) => b.name).join(', ')}` : ''}${v.outcome === 'error' ? `: ${v.why}` : ''}`,
            );
            return v;
          }),
        );
        return mutantVerdict(m, results);
      }),
    );
    const code = mutantsExit(verdicts);
    if (a.json) process.stdout.write(`${JSON.stringify({ scenario: s.name, paths, mutants: verdicts }, null, 2)}\n`);
    else process.stdout.write(mutantsTable(s.name, verdicts));
    return code;
  } finally {
    stop.release();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Every promise's value once all have settled, or the first one's error: no run is left going while the scratch folder goes. */
async function allSettled<T>(promises: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}
