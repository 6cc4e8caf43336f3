// IP parsing and canonical text: IPv4 strictness, every RFC 4291 IPv6 text form, RFC 5952 output,
// prefixes and kube-proxy's remote-endpoint MAC.
import test from 'ava';
import { bytesToIp, canonicalIp, describeSpecialAddress, ipFamily, ipInPrefix, ipToBytes, isIp, macForRemoteEndpoint, parseIp, parsePrefix, specialAddress, type SpecialAddress } from '../../ts/net/ip';

test('IPv4 dotted quads parse to themselves', (t) => {
  for (const s of ['0.0.0.0', '10.0.0.14', '13.0.0.13', '255.255.255.255', '192.168.1.23']) {
    t.deepEqual(parseIp(s), { address: s, family: 4 });
  }
});

test('IPv4 refuses leading zeros, out-of-range octets and odd forms', (t) => {
  for (const s of ['010.0.0.1', '10.0.0.01', '00.0.0.0', '256.0.0.1', '1.2.3', '1.2.3.4.5', '1.2.3.4 ', ' 1.2.3.4', '1..2.3', '0x1.2.3.4', '1.2.3.-4', '', '1.2.3.4/24', '١.٢.٣.٤']) {
    t.is(parseIp(s), null, s);
  }
});

test('IPv6 canonical form follows RFC 5952', (t) => {
  const cases: Array<[string, string]> = [
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:ff00:0042:8329', '2001:db8::ff00:42:8329'],
    ['0:0:0:0:0:0:0:0', '::'],
    ['::', '::'],
    ['::1', '::1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1::', '1::'],
    ['1:0:0:0:0:0:0:0', '1::'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the longest run wins
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first run on a tie
    ['FE80::0001', 'fe80::1'],
    ['1:2:3:4:5:6:7::', '1:2:3:4:5:6:7:0'],
    ['::2:3:4:5:6:7:8', '0:2:3:4:5:6:7:8'],
    ['::ffff:10.0.0.1', '::ffff:10.0.0.1'],
    ['::FFFF:0a00:0001', '::ffff:10.0.0.1'],
    ['0:0:0:0:0:ffff:1.2.3.4', '::ffff:1.2.3.4'],
    ['::1.2.3.4', '::102:304'],
    ['64:ff9b::192.0.2.33', '64:ff9b::c000:221'],
    ['1:2:3:4:5:6:1.2.3.4', '1:2:3:4:5:6:102:304'],
  ];
  for (const [input, expected] of cases) t.deepEqual(parseIp(input), { address: expected, family: 6 }, input);
});

test('IPv6 refuses malformed text, zone IDs and brackets', (t) => {
  for (const s of [
    ':',
    ':::',
    '1:::2',
    '1::2::3',
    '1:2:3:4:5:6:7:8:9',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8::',
    '::1:2:3:4:5:6:7:8',
    '12345::',
    'g::1',
    ':1::2',
    '1::2:',
    'fe80::1%eth0',
    '[::1]',
    '::1.2.3.04',
    '::1.2.3',
    '1.2.3.4::',
    '::1.2.3.4:5',
    '1:2:3:4:5:6:7:1.2.3.4',
  ]) {
    t.is(parseIp(s), null, s);
  }
});

test('ipFamily, isIp and canonicalIp agree with parseIp', (t) => {
  t.is(ipFamily('10.0.0.1'), 4);
  t.is(ipFamily('fd00::1'), 6);
  t.is(ipFamily('nope'), null);
  t.true(isIp('::'));
  t.false(isIp('1.2.3.256'));
  t.is(canonicalIp('FD00:0::1'), 'fd00::1');
  t.is(canonicalIp('x'), null);
});

test('bytes round trip', (t) => {
  t.deepEqual([...ipToBytes('10.244.3.7')!], [10, 244, 3, 7]);
  t.is(ipToBytes('::1')!.length, 16);
  t.is(bytesToIp(ipToBytes('2001:db8::1')!), '2001:db8::1');
  t.throws(() => bytesToIp([1, 2, 3]), { instanceOf: RangeError });
});

test('prefixes', (t) => {
  t.deepEqual(parsePrefix('10.244.3.0/24'), { address: '10.244.3.0', family: 4, length: 24 });
  t.deepEqual(parsePrefix('FD00::/8'), { address: 'fd00::', family: 6, length: 8 });
  for (const bad of ['10.0.0.0', '10.0.0.0/33', '::/129', '10.0.0.0/08', '10.0.0.0/', 'x/8']) t.is(parsePrefix(bad), null, bad);
  t.true(ipInPrefix('10.244.3.7', '10.244.3.0/24'));
  t.false(ipInPrefix('10.244.4.7', '10.244.3.0/24'));
  t.true(ipInPrefix('10.244.3.7', '10.244.0.0/16'));
  t.true(ipInPrefix('1.2.3.4', '0.0.0.0/0'));
  t.true(ipInPrefix('10.0.0.129', '10.0.0.128/25'));
  t.false(ipInPrefix('10.0.0.127', '10.0.0.128/25'));
  t.true(ipInPrefix('fd00::1:2', 'fd00::/64'));
  t.false(ipInPrefix('fd01::1', 'fd00::/16'));
  t.false(ipInPrefix('10.0.0.1', '::/0'), 'families differ');
  t.false(ipInPrefix('bad', '10.0.0.0/8'));
  t.false(ipInPrefix('10.0.0.1', 'bad'));
});

test('macForRemoteEndpoint conjures kube-proxy MACs', (t) => {
  t.is(macForRemoteEndpoint('10.244.3.7'), '02-11-0a-f4-03-07');
  t.is(macForRemoteEndpoint('10.0.0.14'), '02-11-0a-00-00-0e');
  // IPv6 uses bytes 15, 14, 13, 12 in that order.
  t.is(macForRemoteEndpoint('fd00::1:2:a0b:c0d'), '02-11-0d-0c-0b-0a');
  // IPv4-mapped counts as IPv4, as Go's To4 does.
  t.is(macForRemoteEndpoint('::ffff:10.244.3.7'), '02-11-0a-f4-03-07');
  t.throws(() => macForRemoteEndpoint('010.0.0.1'), { instanceOf: TypeError });
});

test('specialAddress names every block a VIP or provider address cannot be in', (t) => {
  const cases: Array<[string, SpecialAddress | null]> = [
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['::1', 'loopback'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.255', 'multicast'],
    ['ff02::1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['169.254.0.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['::ffff:13.0.0.60', 'ipv4-mapped'],
    ['::FFFF:a00:e', 'ipv4-mapped'],
    // Ordinary unicast, private and reserved blocks stay usable (250.0.0.10 is the SDN canary VIP).
    ['13.0.0.13', null],
    ['10.0.0.14', null],
    ['250.0.0.10', null],
    ['223.255.255.255', null],
    ['240.0.0.1', null],
    ['169.253.0.1', null],
    ['fec0::1', null],
    ['fd00::10', null],
    ['2001:db8::1', null],
    ['::2', null],
    ['not an ip', null],
  ];
  for (const [ip, kind] of cases) t.is(specialAddress(ip), kind, ip);
  t.is(describeSpecialAddress('ipv4-mapped'), 'an IPv4-mapped IPv6 address (write the IPv4 address itself)');
});
