// Run inside a throwaway network + mount namespace by engines.test.ts: brings a scenario up with
// one engine (ZONLAB_ENGINE), prints what the namespaces hold as JSON, takes it down.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [scenario, ...sets] = process.argv.slice(2);
const cli = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const env = { ...process.env, NO_COLOR: '1' };
const run = (args: string[]) =>
  execFileSync(process.execPath, [cli, ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const ip = (netns: string | undefined, ...args: string[]) =>
  JSON.parse(
    execFileSync('ip', [...(netns ? ['-n', netns] : []), '-j', ...args], { encoding: 'utf8' }) || '[]',
  ) as Record<string, unknown>[];

// what differs from run to run whatever the engine: indexes, MACs, link-local addresses, carrier timing
const linkOf = (l: Record<string, unknown>) => ({
  ifname: l.ifname,
  mtu: l.mtu,
  link_type: l.link_type,
  ifalias: typeof l.ifalias === 'string' ? l.ifalias.replace(/^zonlab:[0-9a-f]+:/, 'zonlab:RUN:') : l.ifalias,
  flags: (l.flags as string[]).filter((f) => f !== 'LOWER_UP' && f !== 'NO-CARRIER'),
});
const addrOf = (l: Record<string, unknown>) => ({
  ifname: l.ifname,
  addrs: (l.addr_info as Record<string, unknown>[])
    .filter((a) => !String(a.local).startsWith('fe80'))
    .map(({ valid_life_time: _v, preferred_life_time: _p, tentative: _t, ...rest }) => rest),
});
const routeOf = (r: Record<string, unknown>) => {
  const { expires: _e, ...rest } = r;
  return rest;
};

run(['up', scenario!, '--host', '--lb', 'none', ...sets.flatMap((s) => ['--set', s])]);
try {
  const spaces = [
    undefined,
    ...ip(undefined, 'netns', 'list')
      .map((n) => String(n.name))
      .sort(),
  ];
  const state = spaces.map((ns) => ({
    netns: ns ?? 'default',
    links: ip(ns, '-d', 'link', 'show').map(linkOf),
    addresses: ip(ns, 'address', 'show').map(addrOf),
    routes: [
      ...ip(ns, 'route', 'show'),
      ...ip(ns, '-6', 'route', 'show').filter((r) => !String(r.dst).startsWith('fe80')),
    ].map(routeOf),
  }));
  process.stdout.write(JSON.stringify(state));
} finally {
  run(['down', scenario!, '--host']);
}
