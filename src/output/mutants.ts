import type { MutantVerdict } from '../mutants/judge.js';
import { paint, table } from './table.js';

/** `zonlab mutants`: one row per mutant and data path; a survivor says what kind of check would catch it. */
export function mutantsTable(scenario: string, verdicts: MutantVerdict[]): string {
  const rows = verdicts.flatMap((v) =>
    v.paths.map((p) => {
      const outcome = !p.applicable
        ? 'n/a'
        : p.outcome === 'killed'
          ? paint('KILLED', 'green')
          : p.outcome === 'survived'
            ? paint('SURVIVED', 'red')
            : paint('ERROR', 'red');
      const detail = !p.applicable
        ? (p.why ?? '')
        : p.outcome === 'killed'
          ? `by ${p.by.map((b) => b.name).join(', ')}`
          : p.outcome === 'survived'
            ? `every check passed; caught by: ${v.catches}`
            : (p.why ?? '');
      return [v.name, p.path, outcome, detail];
    }),
  );
  const applicable = verdicts.filter((v) => v.applicable);
  const survivors = applicable.filter((v) => !v.killed).map((v) => v.name);
  const end = survivors.length
    ? `${survivors.length} of ${applicable.length} applicable mutants not killed: ${survivors.join(', ')}`
    : `every applicable mutant killed (${applicable.length} of ${verdicts.length}; the others cannot show in ${scenario})`;
  return `${table(['mutant', 'path', 'outcome', 'detail'], rows)}\n${end}\n`;
}
