import test from 'ava';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../src/paths.js';

/** The layers, lowest first: a module may import from its own layer or a lower one, never a higher one. */
const LAYERS: readonly (readonly string[])[] = [
  ['lab'],
  [
    'src/errors',
    'src/paths',
    'src/files',
    'src/host-facts',
    'src/version',
    'src/text',
    'src/debian-packages',
    'src/ip-protocols',
    'src/rate',
    'src/slots',
  ],
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

/** The layers inside lab/, lowest first, by unit (a file at lab/'s top, or a folder). */
const LAB_LAYERS: readonly (readonly string[])[] = [
  // what everything else stands on: no import inside lab/
  [
    'lab/errors',
    'lab/net',
    'lab/steps',
    'lab/process-identity',
    'lab/state-files',
    'lab/c-functions',
    'lab/run-command',
    'lab/zonlb-pins',
  ],
  // signals; zon-lb's interface indexes, XDP links and groups (what an undo intent may name)
  ['lab/signals', 'lab/ifindex-reservations', 'lab/xdp-links', 'lab/zonlb-groups'],
  // a step as commands, requests and undo; who runs where
  ['lab/step-commands', 'lab/batch', 'lab/netlink', 'lab/undo-intents', 'lab/netns-processes', 'lab/registry'],
  ['lab/journal', 'lab/sandbox'],
  // applying and undoing the steps
  ['lab/apply', 'lab/teardown'],
  ['lab/host-state'],
  ['lab/lab'],
];

/**
 * commands/ reach lab/ through session/, but for these, each with its reason; every other import
 * from commands/ into lab/ fails the test.
 */
const COMMANDS_INTO_LAB: Record<string, { to: string[]; why: string }> = {
  // the sandbox's life (enter, detach, stop, exec) is becoming one module (issue 24, wt-sandbox); its callers move with it
  'src/commands/actions/run.ts': {
    to: ['lab/sandbox', 'lab/signals'],
    why: "the sandbox's life, moving into one module",
  },
  'src/commands/actions/up.ts': { to: ['lab/sandbox'], why: "the sandbox's life, moving into one module" },
  'src/commands/actions/exec.ts': {
    to: ['lab/net', 'lab/run-command', 'lab/sandbox'],
    why: "the sandbox's life, moving into one module",
  },
  'src/commands/actions/ab-side.ts': { to: ['lab/sandbox'], why: "the sandbox's life, moving into one module" },
  'src/commands/scenario-arg.ts': {
    to: ['lab/sandbox'],
    why: "warnings are printed once, outside the sandbox: the sandbox's life, moving into one module",
  },
  'src/commands/actions/inside.ts': {
    to: ['lab/sandbox'],
    why: "the inside of a sandbox: the sandbox's own side of its life",
  },
  'src/commands/zonlab-child.ts': {
    to: ['lab/run-command'],
    why: 'runs zonlab itself as a child through the one spawn path',
  },
  'src/commands/actions/down.ts': {
    to: ['lab/host-state', 'lab/process-identity', 'lab/registry', 'lab/sandbox'],
    why: "the sandbox's life (down stops a detached sandbox), moving into one module",
  },
  // the labs on this machine as a person looks at them and removes them: no run, so no session
  'src/commands/actions/status.ts': {
    to: ['lab/host-state', 'lab/registry'],
    why: 'lists the labs up on this machine',
  },
  'src/commands/actions/lab-choice.ts': {
    to: ['lab/host-state', 'lab/registry'],
    why: 'picks one of the labs up on this machine',
  },
  'src/commands/actions/gc.ts': {
    to: ['lab/host-state', 'lab/registry', 'lab/run-command', 'lab/state-files'],
    why: "removes what dead runs left, by the lab's own markers and state",
  },
  'src/commands/actions/gc-selection.ts': { to: ['lab/steps'], why: "reads the lab's ownership markers" },
  // `zonlab plan` shows each step as the engine runs it, grouped as the engine groups them
  'src/commands/actions/plan.ts': {
    to: ['lab/apply', 'lab/step-commands', 'lab/steps'],
    why: "shows the engine's own commands and batches",
  },
  // the process runner's --verbose switch and the tools' versions
  'src/commands/common.ts': {
    to: ['lab/run-command', 'lab/signals'],
    why: "--verbose turns on the process runner's log; one Ctrl-C, one teardown (the one signal helper)",
  },
  'src/commands/actions/doctor.ts': { to: ['lab/run-command'], why: 'runs each tool for its version' },
};

interface Edge {
  from: string;
  to: string;
  file: string;
}

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

/** Every relative import (`import type`, re-exports and `import()` included), file to file. */
function fileImports(): { file: string; target: string }[] {
  const files = ['src', 'lab'].flatMap((d) => sourceFiles(path.join(projectRoot, d)));
  const out: { file: string; target: string }[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g)) {
      out.push({
        file: path.relative(projectRoot, file),
        target: path.relative(projectRoot, path.resolve(path.dirname(file), m[1]!).replace(/\.js$/, '.ts')),
      });
    }
  }
  return out;
}

/** Units inside lab/ count apart: lab/netlink, lab/apply. */
const labUnitOf = (file: string): string => unitOf(path.join(projectRoot, file));

/** The imports between units. */
function importEdges(): Edge[] {
  return fileImports().flatMap(({ file, target }) => {
    const from = labUnitOf(file);
    const to = labUnitOf(target);
    return from !== to ? [{ from, to, file }] : [];
  });
}

/** Each cycle once, from its smallest node, in a graph given as node → next nodes. */
function cyclesOf(next: Map<string, Set<string>>): string[] {
  const cycles = new Set<string>();
  const walk = (start: string, at: string, trail: string[]) => {
    for (const n of next.get(at) ?? []) {
      if (n === start) cycles.add(trail.join(' > '));
      else if (n > start && !trail.includes(n)) walk(start, n, [...trail, n]);
    }
  };
  for (const u of next.keys()) walk(u, u, [u]);
  return [...cycles];
}

const layerOf = (unit: string): number =>
  LAYERS.findIndex((l) => l.includes(unit) || (unit.startsWith('lab/') && l.includes('lab')));
const edges = importEdges();
const show = (e: Edge) => `${e.file} imports ${e.to}`;

test('no module under lab/ imports from src/', (t) => {
  t.deepEqual(edges.filter((e) => e.from.startsWith('lab/') && e.to.startsWith('src/')).map(show), []);
});

test('every unit of src/ and lab/ has a layer', (t) => {
  t.deepEqual(
    [...new Set(edges.flatMap((e) => [e.from, e.to]))].filter((u) => layerOf(u) < 0),
    [],
  );
});

test('no import from a lower layer to a higher one', (t) => {
  t.deepEqual(edges.filter((e) => layerOf(e.from) >= 0 && layerOf(e.to) > layerOf(e.from)).map(show), []);
});

test('no cycle between folders', (t) => {
  const next = new Map<string, Set<string>>();
  for (const e of edges) next.set(e.from, (next.get(e.from) ?? new Set()).add(e.to));
  t.deepEqual(cyclesOf(next), []);
});

test('no cycle between the files of a folder', (t) => {
  const next = new Map<string, Set<string>>();
  for (const { file, target } of fileImports()) {
    if (path.dirname(file) === path.dirname(target) && file !== target)
      next.set(file, (next.get(file) ?? new Set()).add(target));
  }
  t.deepEqual(cyclesOf(next), []);
});

const labLayerOf = (unit: string): number => LAB_LAYERS.findIndex((l) => l.includes(unit));

test('inside lab/: every unit has a layer, and no import goes up', (t) => {
  const inLab = edges.filter((e) => e.from.startsWith('lab/') && e.to.startsWith('lab/'));
  t.deepEqual(
    [...new Set(inLab.flatMap((e) => [e.from, e.to]))].filter((u) => labLayerOf(u) < 0),
    [],
  );
  t.deepEqual(inLab.filter((e) => labLayerOf(e.to) > labLayerOf(e.from)).map(show), []);
});

test('commands/ reach lab/ through session/, but for the exceptions named with their reason', (t) => {
  const intoLab = edges.filter((e) => e.from === 'src/commands' && e.to.startsWith('lab/'));
  t.deepEqual(intoLab.filter((e) => !COMMANDS_INTO_LAB[e.file]?.to.includes(e.to)).map(show), []);
  // an exception no longer taken is taken out of the list
  const taken = new Set(intoLab.map((e) => `${e.file} ${e.to}`));
  t.deepEqual(
    Object.entries(COMMANDS_INTO_LAB).flatMap(([file, { to }]) =>
      to.filter((x) => !taken.has(`${file} ${x}`)).map((x) => `${file} ${x}`),
    ),
    [],
  );
});
