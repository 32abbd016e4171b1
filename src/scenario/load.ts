import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { ExitCode, InvalidInput, UserError, type Problem } from '../errors.js';
import { MAX_BYTES, readCapped, UnreadableFile } from '../files.js';
import { bpfDir, examplesDir, scenariosDir, topologiesDir } from '../paths.js';
import { asTable, type Table } from '../files.js';
import { closest, isIdentifier } from './names.js';
import type { Scenario } from './types.js';
import { validateScenario, type SourceDoc } from './validate/index.js';
import { expandRepeats } from './expand.js';

export interface LoadOptions {
  /** `--set key=value` overrides of the scenario's [params]. */
  set?: Record<string, string>;
}

/** A name in the scenario folder (else among the shipped examples) or a path to a .toml file. */
export function resolveScenarioFile(ref: string): string {
  if (ref.endsWith('.toml') || ref.includes('/')) {
    if (!existsSync(ref)) throw new UserError(`no scenario file ${ref}`);
    return path.resolve(ref);
  }
  if (isIdentifier(ref)) {
    for (const dir of scenarioFolders()) {
      const file = path.join(dir, `${ref}.toml`);
      if (existsSync(file)) return file;
    }
  }
  const names = [
    ...new Set(
      scenarioFolders()
        .flatMap((d) => listScenarioFiles(d))
        .map((f) => path.basename(f, '.toml')),
    ),
  ];
  const near = closest(ref, names);
  throw new UserError(`no scenario named ${JSON.stringify(ref)} in ${scenariosDir()}`, ExitCode.badInput, [
    near ? `did you mean ${near}?` : `scenarios: ${names.join(', ') || 'none (zonlab init writes a starter scenario)'}`,
  ]);
}

/** The scenario folder, then the shipped examples: a name found in both is the folder's. */
export function scenarioFolders(): string[] {
  const own = scenariosDir();
  return own === examplesDir ? [own] : [own, examplesDir];
}

export function listScenarioFiles(dir = scenariosDir()): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.toml') && !f.endsWith('.zonlb.toml'))
    .sort()
    .map((f) => path.join(dir, f));
}

export function loadScenario(ref: string, options: LoadOptions = {}): Scenario {
  const file = resolveScenarioFile(ref);
  const scenario = readSource(file);
  const problems: Problem[] = [];
  let topology: SourceDoc | undefined;
  const topoName = scenario.doc.topology;
  if (topoName !== undefined) {
    if (typeof topoName !== 'string' || !isIdentifier(topoName)) {
      problems.push({
        file,
        key: 'topology',
        message: `${JSON.stringify(topoName)} is not a topology name`,
        hint: 'the name of a file in lab/topologies/',
      });
    } else {
      const topoFile = path.join(topologiesDir, `${topoName}.toml`);
      if (!existsSync(topoFile)) {
        const known = existsSync(topologiesDir) ? readdirSync(topologiesDir).map((f) => path.basename(f, '.toml')) : [];
        const near = closest(topoName, known);
        problems.push({
          file,
          key: 'topology',
          message: `no topology ${topoName} in lab/topologies/`,
          hint: near ? `did you mean "${near}"?` : `known: ${known.join(', ')}`,
        });
      } else topology = readSource(topoFile);
    }
  }
  const params = resolveParams([topology, scenario], options.set ?? {}, problems, file);
  if (problems.length) throw new InvalidInput(problems);
  substituteParams(scenario, params, problems);
  if (topology) substituteParams(topology, params, problems);
  // after the parameters, so that `count = "${clients}"` works; ${i} and ${n} are left for this
  expandRepeats(scenario, problems);
  if (topology) expandRepeats(topology, problems);
  if (problems.length) throw new InvalidInput(problems);

  const hash = createHash('sha256');
  for (const src of [scenario, topology]) if (src) hash.update(src.text);
  hash.update(JSON.stringify(params));
  const readFile = (f: string) => {
    const text = readCapped(f, MAX_BYTES.config).toString('utf8');
    hash.update(text);
    return text;
  };
  const result = validateScenario({
    scenario,
    topology,
    params,
    hash: '',
    readFile,
    xdpProgramExists: (name) => existsSync(path.join(bpfDir, `${name}.c`)),
  });
  return { ...result, hash: hash.digest('hex').slice(0, 16) };
}

export function readSource(file: string): SourceDoc {
  let bytes: Buffer;
  try {
    bytes = readCapped(file, MAX_BYTES.config);
  } catch (err) {
    if (!(err instanceof UnreadableFile)) throw err;
    throw new InvalidInput([{ file, key: '', message: err.why, hint: 'a scenario is a TOML file of a few kilobytes' }]);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InvalidInput([{ file, key: '', message: 'is not UTF-8 text' }]);
  }
  try {
    return { file, text, doc: parseToml(text) as Table };
  } catch (err) {
    const line = err instanceof TomlError ? err.line : undefined;
    const msg = (err as Error).message.split('\n')[0] ?? 'syntax error';
    throw new InvalidInput([{ file, key: '', line, message: `not valid TOML: ${msg}` }]);
  }
}

type ParamValue = string | number | boolean;

function resolveParams(
  sources: (SourceDoc | undefined)[],
  set: Record<string, string>,
  problems: Problem[],
  file: string,
): Record<string, ParamValue> {
  const params: Record<string, ParamValue> = {};
  for (const src of sources) {
    if (!src || src.doc.params === undefined) continue;
    const t = asTable(src.doc.params);
    if (!t) {
      problems.push({ file: src.file, key: 'params', message: 'must be a table' });
      continue;
    }
    for (const [k, v] of Object.entries(t)) {
      if (!isIdentifier(k))
        problems.push({ file: src.file, key: `params.${k}`, message: 'is not a valid parameter name' });
      else if (k === 'i' || k === 'n')
        problems.push({
          file: src.file,
          key: `params.${k}`,
          message: 'is reserved for the index of repeated elements',
          hint: 'choose another name',
        });
      else if (typeof v !== 'string' && typeof v !== 'boolean' && !(typeof v === 'number' && Number.isFinite(v)))
        problems.push({ file: src.file, key: `params.${k}`, message: 'must be a string, number or boolean' });
      else params[k] = v;
    }
  }
  for (const [k, text] of Object.entries(set)) {
    if (!(k in params)) {
      const near = closest(k, Object.keys(params));
      problems.push({
        file,
        key: `params.${k}`,
        message: `--set ${k}: the scenario has no such parameter`,
        hint: near ? `did you mean ${near}?` : `parameters: ${Object.keys(params).join(', ') || 'none'}`,
      });
      continue;
    }
    const old = params[k]!;
    if (typeof old === 'number') {
      const n = Number(text);
      if (!Number.isFinite(n) || text.trim() === '')
        problems.push({ file, key: `params.${k}`, message: `--set ${k}=${text}: must be a number` });
      else params[k] = n;
    } else if (typeof old === 'boolean') {
      if (text !== 'true' && text !== 'false')
        problems.push({ file, key: `params.${k}`, message: `--set ${k}=${text}: must be true or false` });
      else params[k] = text === 'true';
    } else params[k] = text;
  }
  return params;
}

/** "${mtu}" alone takes the parameter's type; inside a longer string it is text. */
function substituteParams(src: SourceDoc, params: Record<string, ParamValue>, problems: Problem[]): void {
  const walk = (v: unknown, key: string): unknown => {
    if (typeof v === 'string') {
      const whole = /^\$\{([A-Za-z0-9_-]+)\}$/.exec(v);
      if (whole && (whole[1] === 'i' || whole[1] === 'n')) return v;
      if (whole) {
        if (whole[1]! in params) return params[whole[1]!];
        problems.push({
          file: src.file,
          key,
          message: `unknown parameter \${${whole[1]}}`,
          hint: 'declare it under [params]',
        });
        return v;
      }
      return v.replace(/\$\{([A-Za-z0-9_-]+)\}/g, (m, name: string) => {
        if (name === 'i' || name === 'n') return m;
        if (name in params) return String(params[name]);
        problems.push({
          file: src.file,
          key,
          message: `unknown parameter \${${name}}`,
          hint: 'declare it under [params]',
        });
        return m;
      });
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${key}[${i}]`));
    const t = asTable(v);
    if (t) {
      const out: Table = {};
      for (const [k, x] of Object.entries(t))
        out[k] = key === '' && k === 'params' ? x : walk(x, key ? `${key}.${k}` : k);
      return out;
    }
    return v;
  };
  src.doc = walk(src.doc, '') as Table;
}
