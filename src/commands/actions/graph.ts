import { writeFileSync } from 'node:fs';
import { topologyText } from '../../output/topology-text.js';
import type { CommonArgs } from '../common.js';
import { loadFor } from '../scenario-arg.js';

/** `zonlab graph NAME`: the topology in the terminal, or as SVG (the report's drawing) with --svg FILE. */
export async function graphCommand(a: CommonArgs & { scenario: string; svg?: string }): Promise<number> {
  const s = loadFor(a.scenario, a);
  const driver = a.lb ?? s.lb.driver;
  if (a.svg) {
    // the SVG drawing is the report's: loaded only when asked for
    const { topologySvg } = await import('../../output/html/topology-svg.js');
    writeFileSync(a.svg, topologySvg(s));
    process.stdout.write(`${a.svg}\n`);
    return 0;
  }
  process.stdout.write(`${s.name}: ${s.description}\n${topologyText(s, driver)}\n`);
  return 0;
}
