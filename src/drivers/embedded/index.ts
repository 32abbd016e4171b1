import { existsSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { runCommand } from '../../../lab/run-command.js';
import { bpfDir, stateDir } from '../../paths.js';
import type { ZonlbConfig } from '../../zonlb/config.js';
import type { Driver, LoadContext, LoadedBalancer } from '../driver.js';
import { libbpf, XDP_FLAGS } from './libbpf.js';
import { COUNTERS, serviceKey, serviceValue } from './maps.js';
import { lacking } from '../capabilities.js';

export const OBJECT = path.join(bpfDir, 'zonlb_xdp.o');

/** What the embedded data path lacks: src/drivers/capabilities.ts says, option by option. */
export function embeddedMissing(config: ZonlbConfig | undefined): string[] {
  const reasons: string[] = [];
  if (!existsSync(OBJECT)) reasons.push('bpf/zonlb_xdp.o is not built (run npm run setup)');
  if (config) reasons.push(...lacking('embedded', config));
  return reasons;
}

/** A backend on this host's loopback: its replies leave through the client's link, so the peer translates them. */
function isLoopback(ip: string): boolean {
  return ip.startsWith('127.') || ip === '::1';
}

function possibleCpus(): number {
  try {
    const text = readFileSync('/sys/devices/system/cpu/possible', 'utf8').trim();
    return text.split(',').reduce((n, part) => { const [a, b] = part.split('-').map(Number); return n + (b === undefined ? 1 : b! - a! + 1); }, 0);
  } catch {
    return availableParallelism();
  }
}

export const embeddedDriver: Driver = {
  name: 'embedded',
  missing: async (config) => embeddedMissing(config),
  version: async () => `zonlab-xdp (libbpf.so.1, ${path.basename(OBJECT)})`,
  crashUndo: (ctx) => [
    ...ctx.config.interfaces.map((i) => ({ argv: ['ip', 'link', 'set', 'dev', i, 'xdp', 'off'] })),
    ...Object.values(ctx.peers ?? {}).map((p) => ({ argv: [...(p.netns ? ['ip', '-n', p.netns] : ['ip']), 'link', 'set', 'dev', p.name, 'xdp', 'off'] })),
  ],
  async load(ctx: LoadContext): Promise<LoadedBalancer> {
    const bpf = libbpf();
    bpf.takeLog();
    const obj = bpf.openFile(OBJECT);
    const attached: { ifindex: number; flags: number; name: string }[] = [];
    const peersAttached: { netns?: string; name: string }[] = [];
    let pin: string | undefined;
    const unload = async () => {
      const failures: string[] = [];
      for (const a of attached.splice(0)) {
        const err = bpf.xdpDetach(a.ifindex, a.flags);
        if (err && err !== -19 /* ENODEV: the link is gone already */) failures.push(`detach XDP from ${a.name}: ${bpf.strerror(err)}`);
      }
      for (const p of peersAttached.splice(0)) {
        const r = await runCommand([...(p.netns ? ['ip', '-n', p.netns] : ['ip']), 'link', 'set', 'dev', p.name, 'xdp', 'off'], { reject: false });
        if (r.failed && !/Cannot find device|does not exist/.test(r.stderr)) failures.push(`detach XDP from ${p.name}@${p.netns ?? 'default'}: ${r.stderr.trim()}`);
      }
      if (pin) rmSync(pin, { force: true });
      bpf.close(obj);
      if (failures.length) throw new Error(failures.join('; '));
    };
    try {
      const err = bpf.load(obj);
      if (err) throw new Error(`the kernel refused bpf/zonlb_xdp.o (${bpf.strerror(err)}):\n${bpf.takeLog().trim().split('\n').slice(-40).join('\n')}`);
      const prog = bpf.programFd(obj, 'zonlb_xdp');
      const services = bpf.mapFd(obj, 'services');
      for (const s of ctx.config.services) {
        const e = bpf.update(services, serviceKey(s), serviceValue(s));
        if (e) throw new Error(`cannot fill the services map for ${s.vip}: ${bpf.strerror(e)}`);
      }
      for (const name of ctx.config.interfaces) {
        const ifindex = bpf.ifindex(name);
        if (!ifindex) throw new Error(`no interface ${name} to attach the load balancer to`);
        // native mode where the driver has it (veth does), generic where it does not (lo)
        let flags: number = XDP_FLAGS.drvMode;
        let e = bpf.xdpAttach(ifindex, prog, flags);
        if (e) { flags = XDP_FLAGS.skbMode; e = bpf.xdpAttach(ifindex, prog, flags); }
        if (e) throw new Error(`cannot attach XDP to ${name} (ifindex ${ifindex}): ${bpf.strerror(e)}`);
        attached.push({ ifindex, flags, name });
      }
      // replies of a backend on loopback leave through the client's link: translate them at its peer
      const local = ctx.config.services.filter((s) => s.backends.some((b) => isLoopback(b.ip)));
      const peers = [...new Set(local.map((s) => s.netif))].map((i) => ctx.peers?.[i]).filter((p): p is { netns?: string; name: string } => Boolean(p));
      if (peers.length) {
        const dir = process.env.TC_BPF_MNT ?? path.join(stateDir(), 'bpffs');
        pin = path.join(dir, `zonlab_${ctx.runId}_xdp`);
        const e = bpf.pin(prog, pin);
        if (e) throw new Error(`cannot pin the program at ${pin}: ${bpf.strerror(e)}`);
        for (const p of peers) {
          await runCommand([...(p.netns ? ['ip', '-n', p.netns] : ['ip']), '-force', 'link', 'set', 'dev', p.name, 'xdpdrv', 'pinned', pin]);
          peersAttached.push(p);
        }
      }
    } catch (err) {
      await unload().catch(() => {});
      throw err;
    }
    const counters = bpf.mapFd(obj, 'counters');
    const cpus = possibleCpus();
    const balancer: LoadedBalancer = {
      driver: 'embedded',
      version: await embeddedDriver.version(),
      async serviceCounts() {
        const matched = (await balancer.counters!()).matched ?? 0;
        return Object.fromEntries(ctx.config.services.map((s) => [s.gid, { packets: matched, scope: '(the program counts all services together)' }]));
      },
      async counters() {
        const out: Record<string, number> = {};
        COUNTERS.forEach((name, i) => {
          const key = Buffer.alloc(4);
          key.writeUInt32LE(i);
          const value = Buffer.alloc(8 * cpus);
          if (bpf.lookup(counters, key, value) === 0) {
            let sum = 0;
            for (let c = 0; c < cpus; c++) sum += Number(value.readBigUInt64LE(c * 8));
            out[name] = sum;
          }
        });
        return out;
      },
      unload,
    };
    return balancer;
  },
};
