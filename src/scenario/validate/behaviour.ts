import { isIP } from 'node:net';
import type { Fields } from '../fields.js';
import {
  EVENT_ACTIONS,
  type BehaviourCheck,
  type CheckSpec,
  type EventAction,
  type EventSpec,
  type ServerSpec,
} from '../types.js';
import type { ZonlbConfig } from '../../zonlb/config.js';
import type { Declared } from './context.js';

type Base = { name: string; from: BehaviourCheck['from']; to: string; timeoutMs: number };

/** Keys of the behaviour checks, beside the common ones. */
export const BEHAVIOUR_KEYS: Record<BehaviourCheck['kind'], string[]> = {
  spread: [
    'port',
    'server',
    'servers',
    'proto',
    'connections',
    'source_port',
    'min_p',
    'expect_backends',
    'concurrency',
  ],
  hold: ['port', 'server', 'servers', 'connections', 'interval', 'duration', 'max_broken', 'churn', 'churn_sources'],
  rr: ['port', 'server', 'servers', 'count', 'size'],
  crr: ['port', 'server', 'servers', 'count', 'size'],
};

/** spread, hold, rr, crr: the servers of every backend (`servers = [...]`, or `server` for one). */
export function behaviourCheck(
  f: Fields,
  kind: BehaviourCheck['kind'],
  base: Base,
  servers: ServerSpec[],
): BehaviourCheck | undefined {
  const port = f.integer('port', { required: true, min: 1, max: 65535 });
  const names = f.has('servers')
    ? f.stringList('servers')
    : [
        f.string('server', { required: true, hint: 'the name of a [[server]], or servers = [...] for every backend' }),
      ].filter((x): x is string => x !== undefined);
  if (f.has('servers') && f.has('server')) f.problem('server', 'give server or servers, not both');
  if (f.has('servers') && !names.length) f.problem('servers', 'is empty', 'the [[server]] of each backend');
  const chosen: ServerSpec[] = [];
  for (const n of names) {
    const s = servers.find((x) => x.name === n);
    if (!s)
      f.problem(
        f.has('servers') ? 'servers' : 'server',
        `no server named ${JSON.stringify(n)}`,
        servers.length ? `servers: ${servers.map((x) => x.name).join(', ')}` : 'declare one with [[server]]',
      );
    else if (isIP(s.address) !== isIP(base.to))
      f.problem(
        'to',
        `an IPv${isIP(s.address)} server (${s.name}, ${s.address}) behind an IPv${isIP(base.to)} address (${base.to})`,
        'the client and the servers must use the same IP family',
      );
    else chosen.push(s);
  }
  if (port === undefined || !chosen.length || chosen.length !== names.length) return undefined;
  const common = { ...base, port, server: chosen[0]!, servers: chosen };
  if (kind === 'spread') {
    const proto = (f.string('proto', { check: (s) => s === 'tcp' || s === 'udp', what: 'tcp or udp' }) ?? 'tcp') as
      'tcp' | 'udp';
    const connections = f.integer('connections', { min: 1, max: 100_000 }) ?? 300;
    const sourcePort = f.integer('source_port', {
      min: 1024,
      max: 65535,
      hint: 'the first source port the client binds: with the same value, two spreads compare flow by flow',
    });
    if (sourcePort !== undefined && sourcePort + connections > 65536)
      f.problem('source_port', `${sourcePort} + ${connections} connections passes port 65535`);
    const minP = number(f, 'min_p', 0, 1) ?? 0.001;
    const expect = f.has('expect_backends') ? f.stringList('expect_backends') : undefined;
    for (const n of expect ?? [])
      if (!chosen.some((s) => s.name === n))
        f.problem(
          'expect_backends',
          `${JSON.stringify(n)} is not one of this check's servers`,
          chosen.map((s) => s.name).join(', '),
        );
    const concurrency = f.integer('concurrency', { min: 1, max: 1024 }) ?? 16;
    return {
      ...common,
      kind,
      proto,
      connections,
      sourcePort,
      minP,
      expectBackends: expect,
      concurrency,
      timeoutMs: Math.max(base.timeoutMs, 60_000),
    };
  }
  if (kind === 'hold') {
    const connections = f.integer('connections', { min: 1, max: 10_000 }) ?? 10;
    const intervalMs = Math.round((number(f, 'interval', 0.001, 60) ?? 0.1) * 1000);
    const durationMs = Math.round((number(f, 'duration', 0.1, 3600) ?? 5) * 1000);
    const maxBroken = f.integer('max_broken', { min: 0, max: 10_000 }) ?? 0;
    const flows = f.integer('churn', {
      min: 1,
      max: 1_000_000,
      hint: 'new short connections opened while the others are held',
    });
    const sources = f.stringList('churn_sources');
    for (const a of sources)
      if (isIP(a) !== isIP(base.to))
        f.problem(
          'churn_sources',
          `${JSON.stringify(a)} is not an IPv${isIP(base.to)} address`,
          'addresses of the client namespace',
        );
    // each source address gives the churn about 31,000 ports (1024 up to the kernel's ephemeral range)
    if (flows !== undefined && flows > 31_000 * Math.max(1, sources.length))
      f.problem(
        'churn',
        `${flows} flows need ${Math.ceil(flows / 31_000)} source addresses`,
        'add addresses of the client to churn_sources',
      );
    const churn = flows === undefined ? undefined : { flows, sources };
    return {
      ...common,
      kind,
      connections,
      intervalMs,
      durationMs,
      maxBroken,
      churn,
      timeoutMs: Math.max(base.timeoutMs, durationMs + 30_000),
    };
  }
  const count = f.integer('count', { min: 1, max: 1_000_000 }) ?? 1000;
  const size = f.integer('size', { min: 1, max: 60_000 }) ?? 1;
  return { ...common, kind, count, size, timeoutMs: Math.max(base.timeoutMs, 120_000) };
}

/** A number (seconds, a probability): TOML integers and floats alike. */
function number(f: Fields, key: string, min: number, max: number): number | undefined {
  const v = f.table[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    f.problem(key, `${JSON.stringify(v)} is out of range`, `a number from ${min} to ${max}`);
    return undefined;
  }
  return v;
}

/** [[event]]: during a check of this scenario, at a time inside it, an action on a backend of the zonlb.toml. */
export function validateEvents(
  top: Fields,
  d: Declared,
  checks: CheckSpec[],
  config: ZonlbConfig | undefined,
): EventSpec[] {
  const events: EventSpec[] = [];
  const backends = config?.services.flatMap((s) => s.backends.map((b) => b.key)) ?? [];
  for (const f of d.items([top], 'event')) {
    f.only(['at', 'during', 'action', 'backend']);
    const at = number(f, 'at', 0, 3600);
    if (at === undefined && !f.has('at'))
      f.problem('at', 'is required', 'seconds after the start of the check named in during');
    const during = f.string('during', { required: true, hint: 'the name of a [[check]]' });
    const check = checks.find((c) => c.name === during);
    if (during && !check)
      f.problem('during', `no check named ${JSON.stringify(during)}`, checks.map((c) => c.name).join(', '));
    const action = f.string('action', {
      required: true,
      check: (s) => (EVENT_ACTIONS as readonly string[]).includes(s),
      what: 'an event action',
      hint: `one of ${EVENT_ACTIONS.join(', ')}`,
    }) as EventAction | undefined;
    const backend = f.string('backend');
    const needsBackend = action === 'remove-backend' || action === 'add-backend';
    if (needsBackend && backend === undefined)
      f.problem('backend', `is required for ${action}`, 'a backend key of the zonlb.toml, e.g. "1_2"');
    if (!needsBackend && backend !== undefined) f.problem('backend', `${action} takes no backend`);
    if (backend !== undefined && !backends.includes(backend))
      f.problem(
        'backend',
        `no backend ${JSON.stringify(backend)} in the zonlb.toml`,
        backends.length ? `backends: ${backends.join(', ')}` : 'the scenario has no zonlb.toml',
      );
    if (check && check.kind === 'hold' && at !== undefined && at * 1000 >= check.durationMs)
      f.problem('at', `${at} s is not inside check ${check.name} (it lasts ${check.durationMs / 1000} s)`);
    if (at === undefined || !check || !action || (needsBackend && !backends.includes(backend ?? ''))) continue;
    events.push({ at, during: check.name, action, ...(backend !== undefined ? { backend } : {}) });
  }
  const added = events.filter((e) => e.action === 'add-backend').map((e) => e.backend);
  if (new Set(added).size !== added.length)
    top.problem('event', 'a backend is added twice', 'add-backend once per backend');
  return events;
}
