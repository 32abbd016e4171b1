import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from './paths.js';

export function zonlabVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** The commit of the checkout, read from .git without spawning git. */
export function zonlabCommit(): string {
  try {
    const gitDir = path.join(projectRoot, '.git');
    const head = readFileSync(path.join(gitDir, 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head.slice(0, 12);
    const ref = head.slice(5);
    try {
      return readFileSync(path.join(gitDir, ref), 'utf8').trim().slice(0, 12);
    } catch {
      const packed = readFileSync(path.join(gitDir, 'packed-refs'), 'utf8');
      const line = packed.split('\n').find((l) => l.endsWith(` ${ref}`));
      return line ? line.slice(0, 12) : 'unknown';
    }
  } catch {
    return 'unknown';
  }
}
