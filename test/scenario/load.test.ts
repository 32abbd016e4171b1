import test from 'ava';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidInput, UserError } from '../../src/errors.js';
import { choosePaths, examplesDir } from '../../src/paths.js';
import {
  listScenarioFiles,
  loadScenario,
  readSource,
  resolveScenarioFile,
  scenarioFolders,
} from '../../src/scenario/load.js';

/** Finding a scenario by name or path, its [params] and --set, and what the loader refuses before validation. */
const corpus = fileURLToPath(new URL('../../../test/fixtures/hostile/', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'zonlab-scenario-load-'));
test.after.always(() => {
  choosePaths({});
  rmSync(dir, { recursive: true, force: true });
});

// base.toml (a valid scenario) with parameters in a number, a string inside a longer string, a name
const own = path.join(dir, 'own');
mkdirSync(own);
copyFileSync(path.join(corpus, 'ok.zonlb.toml'), path.join(own, 'ok.zonlb.toml'));
const base = readFileSync(path.join(corpus, 'base.toml'), 'utf8')
  .replaceAll('"zone1"', '"${zone}"')
  .replace('port = 223', 'port = "${port}"')
  .replace(
    'description = "a valid base"',
    'description = "backend on port ${port}"\n\n[params]\nport = 223\nzone = "zone1"\nquiet = false',
  );
const write = (name: string, text: string) => {
  const file = path.join(own, name);
  writeFileSync(file, text);
  return file;
};
const params = write('params.toml', base.replace('name = "base"', 'name = "params"'));
write('veth-netns.toml', base.replace('name = "base"', 'name = "veth-netns"'));
write('params.zonlb.toml', readFileSync(path.join(corpus, 'ok.zonlb.toml'), 'utf8'));
const problemsOf = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    if (err instanceof InvalidInput) return err.problems.map((p) => `${p.key}: ${p.message}`);
    throw err;
  }
  return [];
};

test.serial('a name is looked up in the scenario folder, then among the examples; a path is taken as it is', (t) => {
  choosePaths({ scenarios: own });
  t.deepEqual(scenarioFolders(), [own, examplesDir]);
  t.is(resolveScenarioFile('params'), params);
  t.is(
    resolveScenarioFile('veth-netns'),
    path.join(own, 'veth-netns.toml'),
    "the folder's own before the example of the same name",
  );
  t.is(resolveScenarioFile('dsr-l2'), path.join(examplesDir, 'dsr-l2.toml'));
  t.is(resolveScenarioFile(path.relative(process.cwd(), params)), params);
  t.throws(() => resolveScenarioFile(path.join(own, 'none.toml')), {
    instanceOf: UserError,
    message: /^no scenario file /,
  });
  const near = t.throws(() => resolveScenarioFile('parms'), {
    instanceOf: UserError,
    message: `no scenario named "parms" in ${own}`,
  });
  t.deepEqual(near.details, ['did you mean params?']);
  t.throws(() => resolveScenarioFile('../params'), { instanceOf: UserError }, 'a path only with .toml or as a path');
  choosePaths({});
});

test('listing: the .toml scenarios, sorted, without their .zonlb.toml configs; none in an absent folder', (t) => {
  t.deepEqual(
    listScenarioFiles(own).map((f) => path.basename(f)),
    ['params.toml', 'veth-netns.toml'],
  );
  t.deepEqual(listScenarioFiles(path.join(dir, 'absent')), []);
});

test('parameters: "${x}" alone keeps its type, inside a string it is text; --set converts to the declared type', (t) => {
  const s = loadScenario(params);
  t.deepEqual(s.params, { port: 223, zone: 'zone1', quiet: false });
  t.deepEqual(s.namespaces, ['zone1']);
  t.is(s.description, 'backend on port 223');
  const set = loadScenario(params, { set: { port: '224', zone: 'zone9', quiet: 'true' } });
  t.deepEqual(set.params, { port: 224, zone: 'zone9', quiet: true });
  t.deepEqual(set.namespaces, ['zone9']);
  t.is(set.description, 'backend on port 224');
  t.not(set.hash, s.hash, 'the hash follows the parameters');
  t.is(loadScenario(params).hash, s.hash, 'and only them');
});

test('--set refuses an unknown parameter (with the nearest) and a value of the wrong type', (t) => {
  t.deepEqual(
    problemsOf(() => loadScenario(params, { set: { prot: '1' } })),
    ['params.prot: --set prot: the scenario has no such parameter'],
  );
  t.deepEqual(
    problemsOf(() => loadScenario(params, { set: { port: 'eighty' } })),
    ['params.port: --set port=eighty: must be a number'],
  );
  t.deepEqual(
    problemsOf(() => loadScenario(params, { set: { port: ' ' } })),
    ['params.port: --set port= : must be a number'],
  );
  t.deepEqual(
    problemsOf(() => loadScenario(params, { set: { quiet: 'yes' } })),
    ['params.quiet: --set quiet=yes: must be true or false'],
  );
  const err = t.throws(() => loadScenario(params, { set: { prot: '1' } }), { instanceOf: InvalidInput });
  t.is(err.problems[0]!.hint, 'did you mean port?');
});

test('parameters that cannot be: reserved names, unknown references, bad values, a bad topology name', (t) => {
  const f = (name: string, text: string) => write(`${name}.toml`, text.replace('name = "base"', `name = "${name}"`));
  t.deepEqual(
    problemsOf(() => loadScenario(f('reserved', base.replace('quiet = false', 'i = 1')))),
    ['params.i: is reserved for the index of repeated elements'],
  );
  t.deepEqual(
    problemsOf(() => loadScenario(f('unknown', base.replace('"${zone}"', '"${zon}"')))),
    ['netns[0].name: unknown parameter ${zon}'],
  );
  t.deepEqual(
    problemsOf(() => loadScenario(f('inside', base.replace('port ${port}', 'port ${prt}')))),
    ['description: unknown parameter ${prt}'],
  );
  t.deepEqual(
    problemsOf(() => loadScenario(f('badvalue', base.replace('quiet = false', 'quiet = [1]')))),
    ['params.quiet: must be a string, number or boolean'],
  );
  t.deepEqual(
    problemsOf(() => loadScenario(f('topo', `topology = "two-link"\n${base}`))),
    ['topology: no topology two-link in lab/topologies/'],
  );
  t.deepEqual(
    problemsOf(() => loadScenario(f('topo2', `topology = "../x"\n${base}`))),
    ['topology: "../x" is not a topology name'],
  );
});

test('a file that is not UTF-8 or not TOML is refused with its file (and the line)', (t) => {
  const latin = path.join(own, 'latin.toml');
  writeFileSync(latin, Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x20, 0x3d, 0x20, 0x22, 0xe9, 0x22, 0x0a]));
  const a = t.throws(() => readSource(latin), { instanceOf: InvalidInput });
  t.like(a.problems[0], { file: latin, message: 'is not UTF-8 text' });
  const broken = write('broken.toml', 'name = "x"\n\n[netns\n');
  const b = t.throws(() => readSource(broken), { instanceOf: InvalidInput });
  t.like(b.problems[0], { file: broken, line: 3 });
  t.regex(b.problems[0]!.message, /^not valid TOML: /);
});
