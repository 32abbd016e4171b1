import type { Problem } from '../../errors.js';
import { asTable, type Table } from '../../files.js';
import { Fields, type Origin } from '../fields.js';
import type { NetnsRef, Scenario } from '../types.js';

/** A file as read: its parsed table and its text (for line numbers). */
export interface SourceDoc extends Origin {
  doc: Table;
}

export interface ValidateInput {
  scenario: SourceDoc;
  topology?: SourceDoc;
  params: Scenario['params'];
  hash: string;
  /** Reads a file next to the scenario (the zonlb.toml); throws when missing. */
  readFile(file: string): string;
  /** Whether bpf/NAME.c exists. */
  xdpProgramExists(name: string): boolean;
}

/**
 * What the tables validated so far declare, for the tables after them to refer to: the namespaces,
 * and the interfaces of each namespace (lo everywhere). Every problem lands in one list.
 */
export class Declared {
  readonly namespaces: string[] = [];
  private readonly devices = new Map<string, Set<string>>();

  constructor(readonly problems: Problem[]) {}

  /** Items of an array of tables across the topology and the scenario, each with its own origin. */
  items(sources: Fields[], key: string): Fields[] {
    const out: Fields[] = [];
    for (const src of sources) {
      const v = src.table[key];
      if (v === undefined) continue;
      if (!Array.isArray(v)) {
        src.problem(key, 'must be an array of tables', `write [[${key}]]`);
        continue;
      }
      v.forEach((entry, i) => {
        const t = asTable(entry);
        if (!t) {
          src.problem(`${key}[${i}]`, 'must be a table', `write [[${key}]]`);
          return;
        }
        out.push(new Fields(t, `${key}[${i}]`, src.origin, this.problems));
      });
    }
    return out;
  }

  /** A namespace named at key: undefined is the default namespace, null an undeclared one (reported). */
  netnsRef(f: Fields, key = 'netns'): NetnsRef | null {
    const ns = f.string(key);
    if (ns === undefined) return undefined;
    if (!this.namespaces.includes(ns)) {
      f.problem(
        key,
        `namespace ${JSON.stringify(ns)} is not declared`,
        this.namespaces.length
          ? `declared: ${this.namespaces.join(', ')}; leave it out for the default namespace`
          : 'declare it with [[netns]] name = "…"',
      );
      return null;
    }
    return ns;
  }

  /** false when the namespace has the interface already. */
  addDevice(ns: NetnsRef, dev: string): boolean {
    const set = this.devices.get(ns ?? '') ?? new Set(['lo']);
    this.devices.set(ns ?? '', set);
    if (set.has(dev)) return false;
    set.add(dev);
    return true;
  }

  hasDevice(ns: NetnsRef, dev: string): boolean {
    return dev === 'lo' || (this.devices.get(ns ?? '')?.has(dev) ?? false);
  }

  /** Reports at key when the namespace lacks the interface; true when it has it. */
  requireDevice(f: Fields, key: string, ns: NetnsRef, dev: string): boolean {
    if (this.hasDevice(ns, dev)) return true;
    f.problem(key, `no interface ${dev} in ${where(ns)}`, this.knownDevices(ns));
    return false;
  }

  knownDevices(ns: NetnsRef): string {
    return `interfaces there: ${[...(this.devices.get(ns ?? '') ?? new Set(['lo']))].join(', ')}`;
  }
}

export const where = (ns: NetnsRef) => (ns === undefined ? 'the default namespace' : `namespace ${ns}`);
