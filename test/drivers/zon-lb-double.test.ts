// The zon-lb test double's own contract with zon-lb's source (cf3fa6f): clap's grammar and answers,
// env_logger's lines, InfoTable's layout. No root: nothing here touches BPF.
import test from 'ava';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { ClapExit, parse } from '../fixtures/zon-lb-double/grammar.js';
import { maxLevel } from '../fixtures/zon-lb-double/log.js';
import { InfoTable } from '../fixtures/zon-lb-double/table.js';

const double = fileURLToPath(new URL('../../../test/fixtures/zon-lb-double/zon-lb', import.meta.url));
const clapError = (argv: string[]) => {
  try {
    parse(argv);
  } catch (err) {
    if (err instanceof ClapExit) return err;
    throw err;
  }
  throw new Error(`${argv.join(' ')} parsed`);
};

test("zon-lb has no --version: exit 2 with clap's message", async (t) => {
  const r = await execa(double, ['--version'], { reject: false });
  t.is(r.exitCode, 2);
  t.is(r.stdout, '');
  t.is(
    r.stderr,
    "error: unexpected argument '--version' found\n\nUsage: zon-lb <COMMAND>\n\nFor more information, try '--help'.",
  );
});

const parses = test.macro((t, argv: string[], path: string[], values: Record<string, string | string[]>) => {
  t.deepEqual(parse(argv), { path, values });
});
test('config FILE load', parses, ['config', '/x/zonlb.toml', 'load'], ['config', 'load'], {
  file_path: '/x/zonlb.toml',
});
test('config load: the file defaults to zonlb.toml', parses, ['config', 'load'], ['config', 'load'], {
  file_path: 'zonlb.toml',
});
test('prog IF teardown', parses, ['prog', 'veth0', 'teardown'], ['prog', 'teardown'], { ifname: 'veth0' });
test('stats IF: list is the default action', parses, ['stats', 'veth0'], ['stats'], { ifname: 'veth0' });
test('stats: the interface defaults to lo', parses, ['stats', 'list', 'pack'], ['stats', 'list'], {
  ifname: 'lo',
  counter_pattern: 'pack',
});
test(
  'runvar IF set takes any number of pairs',
  parses,
  ['runvar', 'veth2', 'set', 'log_filter=off', 'x=y'],
  ['runvar', 'set'],
  { ifname: 'veth2', key_value_pairs: ['log_filter=off', 'x=y'] },
);
test('backend GID defaults to 0', parses, ['backend'], ['backend'], { gid: '0' });
test(
  'backend GID add IP tcp PORT OPTIONS...',
  parses,
  ['backend', '4', 'add', '10.1.2.2', 'tcp', '8080', 'tx', 'src_ip=10.1.2.1'],
  ['backend', 'add', 'tcp'],
  { gid: '4', ip_address: '10.1.2.2', port: '8080', options: ['tx', 'src_ip=10.1.2.1'] },
);
test(
  'backend GID add IP proto PROTOCOL',
  parses,
  ['backend', '4', 'add', '10.1.2.2', 'proto', 'icmp'],
  ['backend', 'add', 'proto'],
  { gid: '4', ip_address: '10.1.2.2', protocol: 'icmp' },
);
test('backend GID remove INDEX', parses, ['backend', '4', 'remove', '1'], ['backend', 'remove'], {
  gid: '4',
  index: '1',
});
test('backend GID clear', parses, ['backend', '4', 'clear'], ['backend', 'clear'], { gid: '4' });
test('group IF add IP udp PORT', parses, ['group', 'veth0', 'add', '10.0.0.1', 'udp', '53'], ['group', 'add', 'udp'], {
  ifname: 'veth0',
  ip_address: '10.0.0.1',
  port: '53',
});
test('group IF remove GID', parses, ['group', 'veth0', 'remove', '3'], ['group', 'remove'], {
  ifname: 'veth0',
  gid: '3',
});
test('prog IF replace', parses, ['prog', 'veth0', 'replace'], ['prog', 'replace'], { ifname: 'veth0' });
test('conntrack remove: the gid defaults to 0', parses, ['conntrack', 'remove'], ['conntrack', 'remove'], { gid: '0' });
test('-- passes a dash as a value', parses, ['debug', 'veth0', '--', '-x'], ['debug'], {
  ifname: 'veth0',
  options: ['-x'],
});

const refused = test.macro((t, argv: string[], message: RegExp) => {
  const e = clapError(argv);
  t.is(e.code, 2);
  t.regex(e.text, message);
  t.regex(e.text, /For more information, try '--help'\.\n$/);
});
test('an unknown subcommand', refused, ['frob'], /^error: unrecognized subcommand 'frob'\n\nUsage: zon-lb <COMMAND>\n/);
test(
  'an unknown flag of a subcommand',
  refused,
  ['info', '-v'],
  /^error: unexpected argument '-v' found\n\nUsage: zon-lb info\n/,
);
test(
  'a subcommand that needs one',
  refused,
  ['prog', 'veth0'],
  /^error: 'zon-lb prog' requires a subcommand but one was not provided\n {2}\[subcommands: load, unload, replace, teardown, reload, help\]\n\nUsage: zon-lb prog \[IFNAME\] <COMMAND>/,
);
test(
  'one argument too many',
  refused,
  ['prog', 'veth0', 'teardown', 'now'],
  /^error: unexpected argument 'now' found\n\nUsage: zon-lb prog teardown\n/,
);
test(
  'a u16 that is not one',
  refused,
  ['group', 'lo', 'remove', '70000'],
  /^error: invalid value '70000' for '<GID>': number too large to fit in target type/,
);
test(
  'a value outside a ValueEnum',
  refused,
  ['prog', 'veth0', 'load', 'fast'],
  /^error: invalid value 'fast' for '\[MODE\]'\n {2}\[possible values: driver, skb\]/,
);
test(
  'backend add without a protocol',
  refused,
  ['backend', '4', 'add', '10.1.2.2'],
  /^error: 'zon-lb backend add' requires a subcommand but one was not provided\n {2}\[subcommands: tcp, udp, service, proto, help\]/,
);
test(
  'a missing required argument',
  refused,
  ['backend', '1', 'remove'],
  /^error: the following required arguments were not provided:\n {2}<INDEX>\n\nUsage: zon-lb backend remove <INDEX>/,
);

test('help: -h, --help and help print it and exit 0; no command at all prints it and exits 2', (t) => {
  for (const argv of [['-h'], ['--help'], ['help'], ['help', 'prog'], ['stats', '--help']])
    t.is(clapError(argv).code, 0, argv.join(' '));
  t.regex(clapError(['help', 'prog']).text, /Usage: zon-lb prog \[IFNAME\] <COMMAND>/);
  const none = clapError([]);
  t.is(none.code, 2);
  t.regex(none.text, /^Usage: zon-lb <COMMAND>\n\nCommands:\n {2}info/);
});

test("env_logger's filter: errors only unless RUST_LOG says more", (t) => {
  t.is(maxLevel({}), 'error');
  t.is(maxLevel({ RUST_LOG: 'info' }), 'info');
  t.is(maxLevel({ RUST_LOG: 'aya=debug,zon_lb=warn' }), 'warn');
});

test('InfoTable: columns padded to the widest cell plus one, rules as wide as the header line', (t) => {
  const tab = new InfoTable(['veth0 stats counters']);
  tab.push(['packets: 12']);
  t.is(
    tab.render(''),
    '\r\nveth0 stats counters \n---------------------\npackets: 12          \n---------------------\n',
  );
  const maps = new InfoTable(['name', 'id']);
  for (let i = 0; i < 10; i++) maps.push([`m${i}`, String(100 + i)]);
  t.regex(maps.render('maps_ids: '), /---------\nname id {2}\n---------\n$/, 'ten rows and more repeat the header');
});
