import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ExitCode, UserError } from '../errors.js';

/**
 * `zonlab init [DIR]`: a scenario a zon-lb developer can run at once in their own checkout, and
 * edit: zon-lb's README example (examples/netns_veth_to_local), with its zonlb.toml beside it.
 */
export function initCommand(a: { dir: string; name: string; json?: boolean }): number {
  const folder = path.join(a.dir, 'scenarios');
  const files = { [path.join(folder, `${a.name}.toml`)]: starterScenario(a.name), [path.join(folder, `${a.name}.zonlb.toml`)]: STARTER_ZONLB };
  const there = Object.keys(files).filter((f) => existsSync(f));
  if (there.length) throw new UserError(`${there.join(', ')} exists already; zonlab init writes only new files`, ExitCode.badInput, ['give another --name, or another DIR']);
  mkdirSync(folder, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(file, text, { flag: 'wx' });
  const inDir = path.resolve(a.dir) === process.cwd() ? '' : `cd ${a.dir} && `;
  process.stdout.write(a.json
    ? `${JSON.stringify({ files: Object.keys(files) })}\n`
    : `${Object.keys(files).map((f) => `wrote ${f}`).join('\n')}\nnext: ${inDir}zonlab validate ${a.name} && sudo zonlab run ${a.name}   (with a zon-lb build: --zonlb PATH)\n`);
  return 0;
}

export function starterScenario(name: string): string {
  return `# A starter scenario written by \`zonlab init\`: zon-lb's README example (examples/netns_veth_to_local).
# A client in namespace zone1 connects to the virtual address 10.0.0.1:23 on veth0; the load
# balancer sends it to a server bound to 127.0.0.23:223 on the loopback. zonlab builds all of it,
# runs the checks below through the load balancer, records the result in ./results, and removes it.
#   zonlab validate ${name}        check this file and ${name}.zonlb.toml (no root needed)
#   zonlab plan ${name}            the exact commands, without running anything
#   sudo zonlab run ${name}        build, load, check, record, tear down (--zonlb PATH: your zon-lb build)
#   sudo zonlab up ${name} --host  the lab on the machine itself, to follow the README by hand
name = "${name}"
description = "zon-lb README example: zone1 → VIP 10.0.0.1:23 on veth0 → server on 127.0.0.23:223 (lo)"

[params]
# overridable on the command line: --set duration=30; used below as "\${duration}"
duration = 5

[[netns]]
name = "zone1"

[[veth]]
# setup.sh: veth0 stays in the default namespace, veth1 goes to zone1
[veth.a]
name = "veth0"
addresses = ["10.0.0.1/24"]
# the README's note: redirected TCP needs its checksum computed in software (cilium/cilium#26300)
ethtool = { tx = "off" }
[veth.b]
netns = "zone1"
name = "veth1"
addresses = ["10.0.0.2/24"]
# the README's dummy XDP program on the peer, needed by kernels before 6.0 for XDP redirect
xdp = { program = "xdp_pass", below_kernel = "6.0" }

[[address]]
# the server's address on the loopback: ip address add 127.0.0.23/24 dev lo
dev = "lo"
address = "127.0.0.23/24"

[[sysctl]]
# the client's packets and the server meet on two local interfaces (veth0 and lo)
key = "net.ipv4.conf.veth0.accept_local"
value = 1

[[sysctl]]
# zonlab's own drivers deliver to 127.0.0.23 through veth0: allowed only with route_localnet
key = "net.ipv4.conf.veth0.route_localnet"
value = 1
drivers = ["nft", "embedded"]

[lb]
# auto: your zon-lb when --zonlb PATH, ZONLB or zon-lb on PATH finds one, else zonlab's embedded XDP load balancer
driver = "auto"
# zon-lb's own configuration, next to this file: zon-lb ${name}.zonlb.toml load
config = "${name}.zonlb.toml"

[[server]]
# where the backend listens; each check starts the program it needs there (nc, iperf, iperf3)
name = "backend"
address = "127.0.0.23"
port = 223

# the README's telnet test: telnet 10.0.0.1 23 from zone1 reaches the server through the load balancer
[[check]]
name = "telnet"
kind = "telnet"
from = "zone1"
to = "10.0.0.1"
port = 23
server = "backend"

# the README's throughput test, with iperf3: median, spread and a verdict against a baseline
# (zonlab run ${name} --repeat 5 --baseline; zonlab baseline save ${name})
[[check]]
name = "iperf3"
kind = "iperf3"
from = "zone1"
to = "10.0.0.1"
port = 23
server = "backend"
duration = "\${duration}"
`;
}

const STARTER_ZONLB = `# zon-lb's configuration for the starter scenario, as in examples/netns_veth_to_local/zonlb.toml.
# The service (group 1): TCP (proto 6) to 10.0.0.1:23, arriving on veth0.
[netif.veth0.1]
ip = "10.0.0.1"
proto = 6
port = 23
options = []

# Its backend (group 1, index 0): the server on 127.0.0.23:223; "redirect": XDP redirect to the
# interface the kernel's FIB names for the backend.
[backend.1_0]
ip = "127.0.0.23"
proto = 6
port = 223
options = ["redirect"]
`;
