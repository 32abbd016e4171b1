import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from './paths.js';

let packages: Record<string, string> | undefined;

/** The Debian package that brings each tool, from the one map scripts/setup.mjs installs from. */
function packageOf(tool: string): string {
  packages ??= JSON.parse(readFileSync(path.join(projectRoot, 'scripts', 'debian-packages.json'), 'utf8')) as Record<
    string,
    string
  >;
  return packages[tool] ?? tool;
}

/** "apt-get install clang libbpf-dev, or npm run setup": what a person runs to get these tools (or files). */
export function installHint(tools: readonly string[]): string {
  return `apt-get install ${[...new Set(tools.map(packageOf))].join(' ')}, or npm run setup`;
}
