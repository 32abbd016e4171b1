import type { EventAction, EventSpec, Scenario } from '../scenario/types.js';
import type { ZonlbBackend, ZonlbConfig } from '../zonlb/config.js';

/** What the record keeps of each event: when it was applied (ms after its check's start) and what came of it. */
export interface EventRecord {
  action: EventAction;
  during: string;
  at: number;
  backend?: string;
  /** ms after the check's clock started, when the driver was asked; undefined when it never was. */
  appliedAtMs?: number;
  /** How long the driver took. */
  tookMs?: number;
  applied: boolean;
  result: string;
}

/** The events of one check, in time order (a stable sort: two at one time keep the file's order). */
export function eventsOf(s: Pick<Scenario, 'events'>, check: string): EventSpec[] {
  return s.events
    .map((e, i) => [e, i] as const)
    .filter(([e]) => e.during === check)
    .sort((a, b) => a[0].at - b[0].at || a[1] - b[1])
    .map(([e]) => e);
}

/** The backends an add-backend event brings in later: the load balancer starts without them. */
export function heldBack(events: EventSpec[]): Set<string> {
  return new Set(events.filter((e) => e.action === 'add-backend').map((e) => e.backend!));
}

function withBackends(config: ZonlbConfig, keep: (b: ZonlbBackend) => boolean): ZonlbConfig {
  return { ...config, services: config.services.map((s) => ({ ...s, backends: s.backends.filter(keep) })) };
}

/** The config the load balancer loads first: the zonlb.toml without the backends held back. */
export function initialConfig(config: ZonlbConfig, events: EventSpec[]): ZonlbConfig {
  const held = heldBack(events);
  return held.size ? withBackends(config, (b) => !held.has(b.key)) : config;
}

/**
 * The backends in force after an event: remove-backend takes one out, add-backend puts it back in
 * its place in the file (the full config's order); the other actions change none.
 */
export function configAfter(current: ZonlbConfig, full: ZonlbConfig, e: EventSpec): ZonlbConfig {
  if (e.action !== 'remove-backend' && e.action !== 'add-backend') return current;
  const live = new Set(current.services.flatMap((s) => s.backends.map((b) => b.key)));
  if (e.action === 'remove-backend') live.delete(e.backend!);
  else live.add(e.backend!);
  return withBackends(full, (b) => live.has(b.key));
}

export interface EventClock {
  /** Starts the clock: each event fires `at` seconds after this. */
  start(): void;
  /** Waits for the events under way; those that never fired are recorded as not applied. */
  finish(): Promise<EventRecord[]>;
}

/** Fires a check's events on time, one at a time (an event waits for the one before it), and records each. */
export function scheduleEvents(
  events: EventSpec[],
  apply: (e: EventSpec) => Promise<string>,
  log: (line: string) => void = () => {},
): EventClock {
  const records: EventRecord[] = events.map((e) => ({
    action: e.action,
    during: e.during,
    at: e.at,
    ...(e.backend ? { backend: e.backend } : {}),
    applied: false,
    result: 'not applied: the check ended first',
  }));
  const timers: NodeJS.Timeout[] = [];
  let chain: Promise<void> = Promise.resolve();
  let t0 = 0;
  let finished = false;
  const fire = (i: number) => {
    chain = chain.then(async () => {
      if (finished) return;
      const r = records[i]!;
      const start = Date.now();
      r.appliedAtMs = start - t0;
      try {
        r.result = await apply(events[i]!);
        r.applied = true;
      } catch (err) {
        r.result = `failed: ${(err as Error).message}`;
      }
      r.tookMs = Date.now() - start;
      log(
        `  event ${r.action}${r.backend ? ` ${r.backend}` : ''} at ${(r.appliedAtMs / 1000).toFixed(2)} s: ${r.result}`,
      );
    });
  };
  return {
    start() {
      if (t0) return;
      t0 = Date.now();
      events.forEach((e, i) => timers.push(setTimeout(() => fire(i), e.at * 1000)));
    },
    async finish() {
      for (const t of timers) clearTimeout(t);
      await chain;
      finished = true;
      return records;
    },
  };
}

/** What a driver applies, with the config in force carried from one event to the next (across the run's checks). */
export function eventApplier(
  full: ZonlbConfig | undefined,
  events: EventSpec[],
  apply: ((action: EventAction, config: ZonlbConfig) => Promise<string>) | undefined,
): (e: EventSpec) => Promise<string> {
  let current = full && initialConfig(full, events);
  return async (e) => {
    if (!full || !current) throw new Error('the scenario has no load balancer config');
    if (!apply) throw new Error('the driver applies no events');
    const next = configAfter(current, full, e);
    const done = await apply(e.action, next);
    current = next;
    return done;
  };
}

/** The skip reasons of a scenario whose events a driver cannot apply, each naming the event. */
export function eventGaps(
  s: Pick<Scenario, 'events'>,
  driver: { name: string; cannotApply?(action: EventAction): string | undefined },
): string[] {
  return s.events.flatMap((e) => {
    const why = driver.cannotApply ? driver.cannotApply(e.action) : `the ${driver.name} driver applies no events`;
    return why
      ? [`event ${e.action}${e.backend ? ` ${e.backend}` : ''} (during ${e.during} at ${e.at} s): ${why}`]
      : [];
  });
}
