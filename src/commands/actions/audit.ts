import { writeFileSync } from 'node:fs';
import { snapshot, snapshotDiff, type MachineSnapshot } from '../../audit.js';
import { ExitCode, UserError } from '../../errors.js';
import { readJsonCapped } from '../../files.js';

/**
 * `zonlab audit save FILE` before, `zonlab audit check FILE` after: exit 1 and the differences when
 * the machine is not as it was (a leak).
 */
export function auditCommand(a: { action: string; file: string; json?: boolean }): number {
  if (a.action === 'save') {
    writeFileSync(a.file, `${JSON.stringify(snapshot(), null, 2)}\n`);
    process.stdout.write(`saved the machine's state to ${a.file}\n`);
    return 0;
  }
  if (a.action !== 'check') throw new UserError(`audit ${a.action}: save or check`, ExitCode.badInput);
  const before = readJsonCapped<MachineSnapshot>(a.file, 'a snapshot of zonlab audit save');
  const diff = snapshotDiff(before, snapshot());
  if (a.json) process.stdout.write(`${JSON.stringify({ clean: diff.length === 0, differences: diff }, null, 2)}\n`);
  else
    process.stdout.write(
      diff.length
        ? `the machine differs from ${a.file}:\n${diff.join('\n')}\n`
        : `the machine is as ${a.file} recorded it\n`,
    );
  return diff.length ? ExitCode.checkFailed : 0;
}
