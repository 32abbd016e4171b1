import { insideSandbox, prepareSandbox } from '../../../lab/sandbox.js';
import { recordExit } from '../../compare/exit-code.js';
import { ExitCode, UserError } from '../../errors.js';
import { encode, sideSchedule } from '../../session/ab/side-schedule.js';
import { runScenario } from '../../session/run-scenario.js';
import { applyCommon, type CommonArgs } from '../common.js';
import { preflight } from '../preflight.js';
import { loadFor, requireChecks } from '../scenario-arg.js';

/** One side of `zonlab ab`, in its sandbox: requests on stdin, replies on stdout, progress on stderr. */
export async function abSide(a: CommonArgs & { scenario: string; runId: string }): Promise<number> {
  if (!insideSandbox())
    throw new UserError(
      'zonlab ab-side is the inside of zonlab ab: it runs in the sandbox zonlab ab makes',
      ExitCode.badInput,
      ['zonlab ab SCENARIO --a LB --b LB'],
    );
  applyCommon(a);
  const s = loadFor(a.scenario, a);
  requireChecks(s);
  const { driver, plan } = await preflight(s, { ...a, json: true }, a.runId);
  await prepareSandbox();
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const send = (r: Parameters<typeof encode>[0]) => process.stdout.write(encode(r));
  const { record, file } = await runScenario(
    plan,
    driver,
    {
      progress,
      checkDone: (o) => progress(`  ${o.status === 'passed' ? 'PASS' : 'FAIL'} ${o.name}: ${o.summary}`),
    },
    { schedule: (sc) => sideSchedule(sc, process.stdin, send) },
  );
  send({ type: 'record', file, status: record.status });
  // stdin is the parent's pipe: left open it would hold the process after its work is done
  process.stdin.destroy();
  return record.status === 'interrupted' ? ExitCode.interrupted : recordExit(record, undefined);
}
