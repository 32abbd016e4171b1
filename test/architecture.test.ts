import test from 'ava';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../src/paths.js';

/** The layers, lowest first: a module may import from its own layer or a lower one, never a higher one. */
const LAYERS: readonly (readonly string[])[] = [
  ['lab'],
  ['src/errors', 'src/paths', 'src/files', 'src/host-facts', 'src/version', 'src/text', 'src/debian-packages', 'src/ip-protocols', 'src/rate'],
  ['src/zonlb'],
  ['src/scenario'],
  // each driver's spec: its needs of the lab, what it implements, how it loads
  ['src/drivers'],
  ['src/plan'],
  ['src/doctor', 'src/requirements', 'src/bpf-build', 'src/audit'],
  ['src/traffic'],
  ['src/parsers', 'src/checks', 'src/bpfstats', 'src/stats', 'src/proof', 'src/events'],
  // a run's record: written by the session, read by the commands and reports
  ['src/results'],
  ['src/session'],
  // mutant builds of the embedded program and their verdicts (the command runs them)
  ['src/mutants'],
  ['src/baseline'],
  ['src/compare'],
  ['src/output'],
  ['src/commands'],
  ['src/cli'],
];

interface Edge { from: string; to: string; file: string }

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** A module's unit: its folder under src/ or lab/ (src/plan, lab/netlink), or the file at the top (src/cli, lab/apply). */
function unitOf(file: string): string {
  const [top, second = ''] = path.relative(projectRoot, file).split(path.sep);
  return `${top}/${second.replace(/\.ts$/, '')}`;
}

/** Every relative import (`import type`, re-exports and `import()` included), between units. */
function importEdges(): Edge[] {
  const files = ['src', 'lab'].flatMap((d) => sourceFiles(path.join(projectRoot, d)));
  const edges: Edge[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const target = path.resolve(path.dirname(file), m[1]!).replace(/\.js$/, '.ts');
      const from = unitOf(file);
      const to = unitOf(target);
      if (from !== to) edges.push({ from, to, file: path.relative(projectRoot, file) });
    }
  }
  return edges;
}

const layerOf = (unit: string): number => LAYERS.findIndex((l) => l.includes(unit) || (unit.startsWith('lab/') && l.includes('lab')));
const edges = importEdges();
const show = (e: Edge) => `${e.file} imports ${e.to}`;

test('no module under lab/ imports from src/', (t) => {
  t.deepEqual(edges.filter((e) => e.from.startsWith('lab/') && e.to.startsWith('src/')).map(show), []);
});

test('every unit of src/ and lab/ has a layer', (t) => {
  t.deepEqual([...new Set(edges.flatMap((e) => [e.from, e.to]))].filter((u) => layerOf(u) < 0), []);
});

test('no import from a lower layer to a higher one', (t) => {
  t.deepEqual(edges.filter((e) => layerOf(e.from) >= 0 && layerOf(e.to) > layerOf(e.from)).map(show), []);
});

test('no cycle between folders', (t) => {
  const next = new Map<string, Set<string>>();
  for (const e of edges) next.set(e.from, (next.get(e.from) ?? new Set()).add(e.to));
  const cycles = new Set<string>();
  // each cycle once, from its smallest unit
  const walk = (start: string, at: string, trail: string[]) => {
    for (const n of next.get(at) ?? []) {
      if (n === start) cycles.add(trail.join(' > '));
      else if (n > start && !trail.includes(n)) walk(start, n, [...trail, n]);
    }
  };
  for (const u of next.keys()) walk(u, u, [u]);
  t.deepEqual([...cycles], []);
});
