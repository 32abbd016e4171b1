import path from 'node:path';
import { InvalidInput, type Problem } from '../../errors.js';
import { Fields } from '../fields.js';
import { isIdentifier } from '../names.js';
import type { Scenario } from '../types.js';
import { localAddresses, validateAddresses } from './addresses.js';
import { validateChecks } from './checks.js';
import { validateEvents } from './behaviour.js';
import { Declared, type ValidateInput } from './context.js';
import { validateDevices } from './devices.js';
import { validateLb } from './lb.js';
import { validateNamespaces } from './namespaces.js';
import { validateQdiscs } from './qdiscs.js';
import { validateRoutes } from './routes.js';
import { validateServers } from './servers.js';
import { validateSysctls } from './sysctls.js';
import { validateVeths } from './veths.js';

export type { SourceDoc, ValidateInput } from './context.js';

const SCENARIO_KEYS = [
  'name',
  'description',
  'topology',
  'params',
  'netns',
  'veth',
  'address',
  'route',
  'sysctl',
  'qdisc',
  'device',
  'lb',
  'server',
  'check',
  'event',
  'repeat',
  'max_drop',
];
const TOPOLOGY_KEYS = ['description', 'params', 'netns', 'veth', 'address', 'route', 'sysctl', 'qdisc', 'device'];

/** Table by table, in the order they refer to each other; every problem of every table is reported at once. */
export function validateScenario(input: ValidateInput): Scenario {
  const problems: Problem[] = [];
  const top = new Fields(input.scenario.doc, '', input.scenario, problems).only(SCENARIO_KEYS);
  const topo = input.topology
    ? new Fields(input.topology.doc, '', input.topology, problems).only(TOPOLOGY_KEYS)
    : undefined;
  const sources = topo ? [topo, top] : [top];
  const d = new Declared(problems);

  const name =
    top.string('name', { check: isIdentifier, what: 'a valid scenario name', hint: 'letters, digits, "-" and "_"' }) ??
    path.basename(input.scenario.file, '.toml');
  const description = top.string('description') ?? topo?.string('description') ?? '';
  validateNamespaces(sources, d);
  const veths = validateVeths(sources, d, input);
  const devices = validateDevices(sources, d);
  const addresses = validateAddresses(sources, d);
  const routes = validateRoutes(sources, d);
  const sysctls = validateSysctls(sources, d);
  const qdiscs = validateQdiscs(sources, d);
  const lb = validateLb(top, d, input);
  const servers = validateServers(top, d, (ns) => localAddresses(ns, veths, addresses, devices));
  const checks = validateChecks(top, d, servers, lb.config?.services);
  const events = validateEvents(top, d, checks, lb.config);
  const repeat = top.integer('repeat', { min: 1, max: 1000 }) ?? 1;
  let maxDrop: number | undefined;
  if (top.has('max_drop')) {
    const v = top.table.max_drop;
    if (typeof v !== 'number' || !(v > 0 && v < 1))
      top.problem('max_drop', `${JSON.stringify(v)} is not a fraction`, 'e.g. 0.1 for 10%');
    else maxDrop = v;
  }

  if (problems.length) throw new InvalidInput(problems);
  return {
    name,
    description,
    files: [input.scenario.file, ...(input.topology ? [input.topology.file] : [])],
    hash: input.hash,
    params: input.params,
    namespaces: d.namespaces,
    veths,
    addresses,
    routes,
    sysctls,
    qdiscs,
    devices,
    lb,
    servers,
    checks,
    events,
    repeat,
    maxDrop,
  };
}
