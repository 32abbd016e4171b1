import { writeFileSync } from 'node:fs';
import { topologyText } from '../../output/topology-text.js';
import { UserError } from '../../errors.js';
import { loadFor, type CommonArgs } from '../common.js';

/** `zonlab graph NAME`: the topology in the terminal, or as SVG (the report's drawing) with --svg FILE. */
export async function graphCommand(a: CommonArgs & { scenario: string; svg?: string }): Promise<number> {
  const s = loadFor(a.scenario, a);
  const driver = a.lb ?? s.lb.driver;
  if (a.svg) {
    let svg: (x: typeof s) => string;
    try {
      svg = ((await import('../report/topology-svg.js' as string)) as { topologySvg: (x: typeof s) => string }).topologySvg;
    } catch {
      throw new UserError('SVG drawing is not part of this version of zonlab yet', 2, ['zonlab graph NAME draws it in the terminal']);
    }
    writeFileSync(a.svg, svg(s));
    process.stdout.write(`${a.svg}\n`);
    return 0;
  }
  process.stdout.write(`${s.name}: ${s.description}\n${topologyText(s, driver)}\n`);
  return 0;
}
