import { compareRecord, recordAsReference } from '../../compare/compare.js';
import { verdictExit } from '../../compare/exit-code.js';
import { compareWithBaseline } from '../../compare/with-baseline.js';
import { printComparison } from '../../output/comparison.js';
import { writeReports } from '../../output/reports.js';
import { findRecord } from '../../results/find.js';

export function compareCommand(a: {
  run?: string;
  against?: string;
  maxDrop?: number;
  force?: boolean;
  json?: boolean;
  junit?: string;
  markdown?: string;
}): number {
  const { record } = findRecord(a.run);
  const c =
    a.against && a.against !== 'baseline'
      ? compareRecord(record, recordAsReference(findRecord(a.against).record), { maxDrop: a.maxDrop, force: a.force })
      : compareWithBaseline(record, { maxDrop: a.maxDrop, force: a.force });
  writeReports([{ record, comparison: c }], a);
  if (a.json) process.stdout.write(`${JSON.stringify(c, null, 2)}\n`);
  else printComparison(c);
  return verdictExit(c);
}
