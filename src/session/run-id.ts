import { randomBytes } from 'node:crypto';

/** A run's id: the registry's, the record's and `--id`'s (a sandbox's inside takes its parent's, handed over). */
export function newRunId(): string {
  return randomBytes(4).toString('hex');
}
