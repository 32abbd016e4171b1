// Run under `unshare --net` by test-run.test.ts: a namespace with no routes, so the program's FIB
// lookups fail the same way everywhere and its rewrite is what comes back (XDP_PASS).
import { libbpf } from '../../src/drivers/embedded/libbpf.js';
import { serviceKey, serviceValue } from '../../src/drivers/embedded/maps.js';
import { OBJECT } from '../../src/drivers/embedded/index.js';
import { parseZonlbConfig } from '../../src/zonlb/config.js';
import { inspect, ipv4Packet, ipv6Packet, type Spec } from './packets.js';

const bpf = libbpf();
const obj = bpf.openFile(OBJECT);
if (bpf.load(obj)) throw new Error(bpf.takeLog());
const prog = bpf.programFd(obj, 'zonlb_xdp');
const config = parseZonlbConfig(`
[netif.veth0.1]
ip = "10.0.0.1"
proto = 6
port = 23
[backend.1_0]
ip = "10.2.0.2"
port = 223
options = ["redirect", "src_ip=10.2.0.1"]
[netif.veth0.2]
ip = "10.0.0.1"
proto = 17
port = 23
[backend.2_0]
ip = "10.2.0.2"
port = 223
options = ["src_ip=10.2.0.1"]
[netif.veth0.3]
ip = "10.0.0.1"
proto = 1
[backend.3_0]
ip = "10.2.0.2"
options = ["src_ip=10.2.0.1"]
[netif.veth0.4]
ip = "2001:db8::1"
proto = 6
port = 23
[backend.4_0]
ip = "2001:db8::2:2"
port = 223
options = ["src_ip=2001:db8::2:1"]
`, 'test');
const services = bpf.mapFd(obj, 'services');
config.services.forEach((s, i) => { if (bpf.update(services, serviceKey(s), serviceValue(s, i))) throw new Error('map'); });

const run = (frame: Buffer) => {
  const out = Buffer.alloc(frame.length + 256);
  const r = bpf.testRun(prog, frame, out);
  const got = out.subarray(0, r.sizeOut);
  return { err: r.err, action: r.retval, unchanged: got.equals(frame), ...(r.sizeOut >= 34 ? inspect(got) : {}) };
};
const cases: Record<string, unknown> = {};
const v4 = (s: Spec) => run(ipv4Packet(s));
cases.tcpRequest = v4({ src: '10.0.0.2', dst: '10.0.0.1', sport: 40000, dport: 23, proto: 'tcp' });
cases.tcpReply = v4({ src: '10.2.0.2', dst: '10.2.0.1', sport: 223, dport: 40000, proto: 'tcp' });
cases.udpRequest = v4({ src: '10.0.0.2', dst: '10.0.0.1', sport: 40001, dport: 23, proto: 'udp', payload: 'odd' });
cases.udpReply = v4({ src: '10.2.0.2', dst: '10.2.0.1', sport: 223, dport: 40001, proto: 'udp' });
cases.icmpRequest = v4({ src: '10.0.0.2', dst: '10.0.0.1', sport: 77, dport: 77, proto: 'icmp' });
cases.unknownFlow = v4({ src: '10.0.0.2', dst: '10.0.0.9', sport: 40002, dport: 80, proto: 'tcp' });
cases.tcp6Request = run(ipv6Packet({ src: '2001:db8::2', dst: '2001:db8::1', sport: 40003, dport: 23, proto: 'tcp' }));
cases.tcp6Reply = run(ipv6Packet({ src: '2001:db8::2:2', dst: '2001:db8::2:1', sport: 223, dport: 40003, proto: 'tcp' }));
const full = ipv4Packet({ src: '10.0.0.2', dst: '10.0.0.1', sport: 40004, dport: 23, proto: 'tcp' });
cases.truncated = [14, 20, 33, 34, 40, 53].map((n) => { const r = bpf.testRun(prog, full.subarray(0, n), Buffer.alloc(256)); return { n, err: r.err, action: r.retval }; });
process.stdout.write(JSON.stringify(cases));
