import { runCommand } from '../../lab/run-command.js';
import { installHint } from '../debian-packages.js';
import { isIcmp, protocolName } from '../ip-protocols.js';
import { findOnPath } from '../host-facts.js';
import type { ZonlbConfig, ZonlbService } from '../zonlb/config.js';
import type { Driver, LoadContext, LoadedBalancer, ServiceCount } from './driver.js';

/** nft tables of a run: `zonlab_` + the run id, so `zonlab gc` can find them by name. */
export function nftTableName(runId: string): string {
  return `zonlab_${runId.replace(/[^a-z0-9]/g, '')}`;
}

/**
 * The kernel's own DNAT with conntrack, from the zonlb.toml subset (what it lacks: its spec's, kinds.ts).
 */
export function nftRuleset(config: ZonlbConfig, table: string): string {
  const pre: string[] = [];
  const post: string[] = [];
  // zon-lb's groups live in one map that its program reads on every netif it is attached to: a
  // group declared on veth2 (the examples' ICMP groups) also serves packets arriving on veth0
  const ingress =
    config.interfaces.length === 1
      ? `"${config.interfaces[0]}"`
      : `{ ${config.interfaces.map((i) => `"${i}"`).join(', ')} }`;
  // a group without backends gets no rule: its packets go on untranslated, as zon-lb passes them
  for (const s of config.services.filter((x) => x.backends.length > 0)) {
    const fam = s.family === 6 ? 'ip6' : 'ip';
    const match = `iifname ${ingress} ${fam} daddr ${s.vip} ${serviceMatch(s)}`;
    const targets = s.backends.map((b) =>
      b.port !== undefined && s.port !== undefined ? `${fam === 'ip6' ? `[${b.ip}]` : b.ip}:${b.port}` : b.ip,
    );
    const to =
      targets.length === 1
        ? targets[0]
        : `numgen inc mod ${targets.length} map { ${targets.map((t, i) => `${i} : ${t.replace(/^\[(.*)\]:(\d+)$/, '$1 . $2').replace(/^([0-9.]+):(\d+)$/, '$1 . $2')}`).join(', ')} }`;
    const dnat =
      targets.length > 1 && s.port !== undefined ? `dnat ${fam} addr . port to ${to}` : `dnat ${fam} to ${to}`;
    pre.push(`    ${match} counter ${dnat} comment "gid ${s.gid}"`);
    for (const b of s.backends) {
      if (!b.options.srcIp) continue;
      const l4 = isIcmp(b.proto) ? '' : ` ${protocolName(b.proto)} dport ${b.port}`;
      post.push(
        `    ct status dnat ${fam} daddr ${b.ip}${l4} counter snat ${fam} to ${b.options.srcIp} comment "gid ${s.gid} backend ${b.key}"`,
      );
    }
  }
  return [
    `table inet ${table} {`,
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    ...pre,
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    ...post,
    '  }',
    '}',
    '',
  ].join('\n');
}

function serviceMatch(s: ZonlbService): string {
  return isIcmp(s.proto) ? `${protocolName(s.proto)} type echo-request` : `${protocolName(s.proto)} dport ${s.port}`;
}

/** The table's rules replaced in one transaction: `nft -f` applies a file atomically, so no packet sees an empty table. */
export function nftReplace(config: ZonlbConfig, table: string): string {
  return `flush table inet ${table}\n${nftRuleset(config, table)}`;
}

export const nftDriver: Driver = {
  name: 'nft',
  cannotApply(action) {
    if (action === 'replace-program') return 'nft has no program to replace (its rules are replaced by reload)';
    if (action === 'flush-conntrack' && !findOnPath('conntrack'))
      return `flushing the kernel's conntrack needs the conntrack tool (${installHint(['conntrack'])})`;
    return undefined;
  },
  // its tool and the options it lacks are its spec's (kinds.ts), checked by preflight
  missing: async () => [],
  version: async () => (await runCommand(['nft', '--version'], { reject: false })).stdout.trim() || 'unknown',
  crashUndo: (ctx) => [{ argv: ['nft', 'delete', 'table', 'inet', nftTableName(ctx.runId)] }],
  async load(ctx: LoadContext): Promise<LoadedBalancer> {
    const table = nftTableName(ctx.runId);
    await runCommand(['nft', '-f', '-'], { input: nftRuleset(ctx.config, table) });
    const version = await this.version();
    // a replaced table starts its counters at 0: what the old rules counted is carried over
    const carried: Record<string, number> = {};
    const read = async () => {
      const r = await runCommand(['nft', '-j', 'list', 'table', 'inet', table], { reject: false });
      const now = nftCounters(r.stdout);
      for (const [k, v] of Object.entries(carried)) now[k] = (now[k] ?? 0) + v;
      return now;
    };
    return {
      driver: 'nft',
      version,
      counters: read,
      serviceCounts: async () => serviceCountsOf(await read()),
      async apply(action, config) {
        if (action === 'flush-conntrack') {
          const r = await runCommand(['conntrack', '-F'], { reject: false });
          if (r.failed) throw new Error(`conntrack -F: ${r.stderr.trim()}`);
          return `conntrack -F: ${r.stderr.trim() || 'flushed'}`;
        }
        if (action === 'replace-program') throw new Error('nft has no program to replace');
        const before = await read();
        await runCommand(['nft', '-f', '-'], { input: nftReplace(config, table) });
        Object.assign(carried, before);
        return `table ${table} replaced in one transaction: ${config.services
          .filter((x) => x.backends.length)
          .map((x) => `gid ${x.gid} → ${x.backends.map((b) => b.key).join(', ')}`)
          .join('; ')}`;
      },
      async unload() {
        const r = await runCommand(['nft', 'delete', 'table', 'inet', table], { reject: false });
        if (r.failed && !/No such file or directory/.test(r.stderr))
          throw new Error(`nft delete table inet ${table}: ${r.stderr.trim()}`);
      },
    };
  },
};

/**
 * Per service, its DNAT rule's packets ("gid 1"): a NAT rule sees only the first packet of each
 * flow (conntrack translates the rest), so the figure is the flows nft translated.
 */
export function nftServiceCounts(json: string): Record<number, ServiceCount> {
  return serviceCountsOf(nftCounters(json));
}

function serviceCountsOf(counters: Record<string, number>): Record<number, ServiceCount> {
  const out: Record<number, ServiceCount> = {};
  for (const [name, packets] of Object.entries(counters)) {
    const m = /^gid_(\d+)_packets$/.exec(name);
    if (m) out[Number(m[1])] = { packets, scope: 'DNAT rule (new flows)' };
  }
  return out;
}

/** Packets per rule, named by the rule's comment ("gid 1" → gid_1_packets). */
export function nftCounters(json: string): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    const doc = JSON.parse(json) as {
      nftables: { rule?: { comment?: string; expr: { counter?: { packets: number; bytes: number } }[] } }[];
    };
    for (const item of doc.nftables) {
      const rule = item.rule;
      const counter = rule?.expr.find((e) => e.counter)?.counter;
      if (!rule || !counter) continue;
      const name = (rule.comment ?? 'rule').replace(/[^a-z0-9]+/gi, '_');
      out[`${name}_packets`] = (out[`${name}_packets`] ?? 0) + counter.packets;
      out[`${name}_bytes`] = (out[`${name}_bytes`] ?? 0) + counter.bytes;
    }
  } catch {
    /* no table: no counters */
  }
  return out;
}
