import { randomBytes } from 'node:crypto';

/** A run's id; a sandboxed run's inner process takes the one its outer process chose (ZONLAB_RUN_ID). */
export function newRunId(): string {
  return process.env.ZONLAB_RUN_ID && /^[a-z0-9]{4,16}$/.test(process.env.ZONLAB_RUN_ID) ? process.env.ZONLAB_RUN_ID : randomBytes(4).toString('hex');
}
