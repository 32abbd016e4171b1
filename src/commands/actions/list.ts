import path from 'node:path';
import { paint, table } from '../../output/table.js';
import { listScenarioFiles, loadScenario, scenarioFolders } from '../../scenario/load.js';
import type { CommonArgs } from '../common.js';

/** The scenario folder's scenarios, then the shipped examples it does not shadow (runnable by name, not by --all). */
export function listCommand(a: Pick<CommonArgs, 'json'>): number {
  const rows: { name: string; description: string; folder: string; example: boolean; error?: string }[] = [];
  scenarioFolders().forEach((folder, i) => {
    for (const file of listScenarioFiles(folder)) {
      const name = path.basename(file, '.toml');
      if (rows.some((r) => r.name === name)) continue;
      try {
        rows.push({ name, folder, example: i > 0, description: loadScenario(file).description });
      } catch (err) {
        rows.push({ name, folder, example: i > 0, description: '', error: (err as Error).message });
      }
    }
  });
  if (a.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else
    process.stdout.write(
      `${table(
        ['scenario', 'description'],
        rows.map((r) => [
          r.example ? `${r.name} ${paint('(example)', 'dim')}` : r.name,
          r.error ? paint(`INVALID: ${r.error}`, 'red') : r.description,
        ]),
      )}\n`,
    );
  return 0;
}
