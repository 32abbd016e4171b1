// Run by nft.test.ts inside `unshare --net`: the nft driver's rulesets loaded into this throwaway
// namespace's kernel, and packets through them. The client lives in a second network namespace
// held by a `sleep` (entered with nsenter), so no name is made under /run/netns.
import { spawn } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import net from 'node:net';
import { runCommand } from '../../lab/run-command.js';
import { nftRuleset, nftServiceCounts } from '../../src/drivers/nft.js';
import { parseZonlbConfig } from '../../src/zonlb/config.js';

const TABLE = 'zonlab_nfttest';
const out: Record<string, unknown> = {};

// every ruleset the shipped example configs make: accepted by the kernel (nft -c checks without loading)
out.checked = {} as Record<string, string>;
for (const name of [
  'veth-netns',
  'netns-veth-to-netns',
  'ipv6-netns-to-netns',
  'ip-fragmentation',
  'vlan-netns-bridge',
]) {
  const text = readFileSync(new URL(`../../../scenarios/${name}.zonlb.toml`, import.meta.url), 'utf8');
  const r = await runCommand(['nft', '-c', '-f', '-'], {
    input: nftRuleset(parseZonlbConfig(text, name), TABLE),
    reject: false,
  });
  (out.checked as Record<string, string>)[name] = r.failed ? r.stderr.trim() : 'ok';
}

// the client's namespace: a sleep in a new one
const sleeper = spawn('unshare', ['--net', '--', 'sleep', '120'], { stdio: 'ignore' });
const pid = sleeper.pid!;
const own = readlinkSync('/proc/self/ns/net');
for (let i = 0; i < 200 && readlinkSync(`/proc/${pid}/ns/net`) === own; i++)
  await new Promise((r) => setTimeout(r, 10));
const inClient = (argv: string[], input?: string) =>
  runCommand(['nsenter', `--net=/proc/${pid}/ns/net`, '--', ...argv], { input, reject: false, timeoutMs: 10_000 });

await runCommand(['ip', 'link', 'set', 'lo', 'up']);
await runCommand(['ip', 'link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth1']);
await runCommand(['ip', 'link', 'set', 'veth1', 'netns', String(pid)]);
await runCommand(['ip', 'address', 'add', '10.0.0.1/24', 'dev', 'veth0']);
await runCommand(['ip', 'link', 'set', 'veth0', 'up']);
await inClient(['ip', 'address', 'add', '10.0.0.2/24', 'dev', 'veth1']);
await inClient(['ip', 'link', 'set', 'veth1', 'up']);

// two backends on this namespace's own address: what each received and from whom
const got: Record<number, string[]> = { 223: [], 224: [] };
const servers = [223, 224].map((port) =>
  net
    .createServer((s) => {
      let data = '';
      s.on('data', (d) => {
        data += d.toString();
      });
      s.on('end', () => {
        got[port]!.push(`${data.trim()} from ${s.remoteAddress}`);
        s.end();
      });
    })
    .listen(port, '10.0.0.1'),
);
await Promise.all(servers.map((s) => new Promise((r) => s.once('listening', r))));
const connect = async (port: number, token: string) =>
  (await inClient(['nc', '-N', '-w', '3', '10.0.0.1', String(port)], token)).exitCode;
const load = (zonlb: string) =>
  runCommand(['nft', '-f', '-'], { input: nftRuleset(parseZonlbConfig(zonlb, 'test'), TABLE) });
const counts = async () => nftServiceCounts((await runCommand(['nft', '-j', 'list', 'table', 'inet', TABLE])).stdout);

// the negative control: nothing serves port 23 before the rules
out.before = await connect(23, 'early');

// one backend: the VIP's port 23 is translated to 223; another port is not
await load('[netif.veth0.1]\nip = "10.0.0.1"\nproto = 6\nport = 23\n[backend.1_0]\nip = "10.0.0.1"\nport = 223\n');
out.one = { exit: await connect(23, 'one'), other: await connect(24, 'other'), counts: await counts() };
out.oneGot = [...got[223]!];

// two backends: numgen spreads new flows over both, in turn
await runCommand(['nft', 'delete', 'table', 'inet', TABLE]);
got[223] = [];
await load(
  '[netif.veth0.1]\nip = "10.0.0.1"\nproto = 6\nport = 23\n[backend.1_0]\nip = "10.0.0.1"\nport = 223\n[backend.1_1]\nip = "10.0.0.1"\nport = 224\n',
);
const exits: number[] = [];
for (let i = 0; i < 6; i++) exits.push((await connect(23, `spread${i}`)) ?? -1);
out.two = { exits, got223: got[223]!.length, got224: got[224]!.length };

// a flow from another interface than the config's is not translated
await runCommand(['nft', 'delete', 'table', 'inet', TABLE]);
await load('[netif.veth9.1]\nip = "10.0.0.1"\nproto = 6\nport = 23\n[backend.1_0]\nip = "10.0.0.1"\nport = 223\n');
out.elsewhere = await connect(23, 'elsewhere');

for (const s of servers) s.close();
sleeper.kill();
process.stdout.write(JSON.stringify(out));
