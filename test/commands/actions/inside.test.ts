import test from 'ava';
import { asUserError } from '../../../src/errors.js';
import { insideCommand } from '../../../src/commands/actions/inside.js';
import { isDeepStrictEqual } from 'node:util';
import { DRIVER_NAMES } from '../../../src/scenario/types.js';
import { planLab } from '../../../src/plan/plan.js';
import { listScenarioFiles, loadScenario } from '../../../src/scenario/load.js';
import { examplesDir } from '../../../src/paths.js';

/** The value with its undefined keys left out (JSON leaves them out too); anything but plain objects and arrays as it is. */
function withoutUndefined(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutUndefined);
  if (v === null || typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) return v;
  return Object.fromEntries(
    Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .map(([k, x]) => [k, withoutUndefined(x)]),
  );
}

// the process inside a sandbox takes the plan its parent computed, as JSON on its stdin (lab/sandbox.ts):
// a Map, a bigint, a Date or a class in a plan would arrive changed, and the run would build another lab
test('every example plan, with every driver, arrives inside the sandbox as it was computed', (t) => {
  let compared = 0;
  for (const file of listScenarioFiles(examplesDir)) {
    const s = loadScenario(file);
    for (const driver of DRIVER_NAMES.filter((d) => d !== 'auto')) {
      const plan = planLab(s, { driver, mode: 'sandbox', runId: 'c0ffee01', kernel: '6.8.0' });
      const arrived: unknown = JSON.parse(JSON.stringify(plan));
      t.true(isDeepStrictEqual(arrived, withoutUndefined(plan)), `${file} with ${driver}`);
      compared++;
    }
  }
  t.true(compared >= 40, `${compared} plans`);
});

test('outside a sandbox zonlab inside is refused (exit 2) before it reads its stdin', async (t) => {
  // the lab's refusal, which the CLI turns into exit 2
  const err = asUserError(await t.throwsAsync(insideCommand()));
  t.is(err?.exitCode, 2);
  t.regex(err?.message ?? '', /runs only in the sandbox/);
});
