import type { Fields } from '../fields.js';
import { isEthtoolFeature } from '../names.js';
import { isInterfaceName } from '../../../lab/net.js';
import type { VethEnd, VethPair, XdpHelper } from '../types.js';
import { cidrList } from './cidr-field.js';
import { where, type Declared, type ValidateInput } from './context.js';

const END_KEYS = ['name', 'netns', 'addresses', 'mtu', 'ethtool', 'xdp'];

export function validateVeths(sources: Fields[], d: Declared, input: ValidateInput): VethPair[] {
  const veths: VethPair[] = [];
  for (const item of d.items(sources, 'veth')) {
    item.only(['a', 'b']);
    const a = vethEnd(item.sub('a'), d, input);
    const b = vethEnd(item.sub('b'), d, input);
    if (!item.has('a') || !item.has('b'))
      item.problem(
        '',
        'a veth pair needs both ends',
        'add [veth.a] and [veth.b] tables with name (and netns for the end in a namespace)',
      );
    if (!a || !b) continue;
    veths.push({ a, b });
  }
  return veths;
}

function vethEnd(f: Fields | undefined, d: Declared, input: ValidateInput): VethEnd | undefined {
  if (!f) return undefined;
  f.only(END_KEYS);
  const name = f.string('name', {
    required: true,
    check: isInterfaceName,
    what: 'a valid interface name',
    hint: 'at most 15 characters of letters, digits, "-", "_" and "."; no "/", ":" or spaces',
  });
  const netns = d.netnsRef(f);
  // declared even when the rest of the end is wrong: a bad address reports itself, not every table that names the interface
  if (name && netns !== null && !d.addDevice(netns, name))
    f.problem('name', `interface ${name} already exists in ${where(netns)}`);
  const addresses = cidrList(f);
  const mtu = f.integer('mtu', { min: 68, max: 65535 });
  // the kernel turns IPv6 off on a link whose MTU is below IPv6's minimum (zon-lb's ip_fragmentation setup.sh raises it to 1280)
  if (mtu !== undefined && mtu < 1280 && addresses?.some((c) => c.family === 6))
    f.problem(
      'mtu',
      `${mtu} is below IPv6's minimum MTU (1280), and this end has an IPv6 address: the kernel would turn IPv6 off on it`,
      "1280 or more (zon-lb's ip_fragmentation setup.sh raises a lower MTU to 1280), or no IPv6 address on this end",
    );
  const ethtool: VethEnd['ethtool'] = {};
  const eth = f.sub('ethtool');
  for (const [feature, v] of Object.entries(eth?.table ?? {})) {
    // "" leaves the feature as the kernel has it: a parameter can then ask for a setting or for none
    if (v === '') continue;
    if (!isEthtoolFeature(feature))
      eth!.problem(
        feature,
        'is not an ethtool feature name',
        'as `ethtool -k` prints them, e.g. "tx" or "tx-checksumming"',
      );
    else if (v !== 'on' && v !== 'off' && typeof v !== 'boolean')
      eth!.problem(feature, `must be "on" or "off"`, '"" leaves it as the kernel has it');
    else ethtool[feature] = v === true || v === 'on' ? 'on' : 'off';
  }
  const xdp = xdpHelper(f, input);
  if (!name || netns === null || !addresses) return undefined;
  return { netns, name, addresses, mtu, ethtool, xdp };
}

function xdpHelper(f: Fields, input: ValidateInput): XdpHelper | undefined {
  const v = f.table.xdp;
  if (v === undefined) return undefined;
  const isProgram = (s: string) => /^[a-z0-9_]{1,64}$/.test(s);
  let program: string | undefined;
  let section = 'xdp';
  let belowKernel: string | undefined;
  if (typeof v === 'string') {
    program = f.string('xdp', { check: isProgram, what: 'a program name', hint: 'the name of a bpf/NAME.c file' });
  } else {
    const x = f.sub('xdp');
    if (!x) return undefined;
    x.only(['program', 'section', 'below_kernel']);
    program = x.string('program', {
      required: true,
      check: isProgram,
      what: 'a program name',
      hint: 'the name of a bpf/NAME.c file',
    });
    section =
      x.string('section', { check: (s) => /^[A-Za-z0-9_./-]{1,64}$/.test(s), what: 'an ELF section name' }) ?? 'xdp';
    belowKernel = x.string('below_kernel', {
      check: (s) => /^\d+\.\d+$/.test(s),
      what: 'a kernel version',
      hint: 'e.g. "6.0"',
    });
  }
  if (!program) return undefined;
  if (!input.xdpProgramExists(program)) {
    f.problem('xdp', `no XDP program bpf/${program}.c`, 'zonlab ships bpf/xdp_pass.c');
    return undefined;
  }
  return { program, section, belowKernel };
}
