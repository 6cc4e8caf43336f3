// Property tests of the IP parser: canonical text is idempotent, keeps the bytes, and the parser
// agrees with node:net isIP on everything without a zone ID.
import test from 'ava';
import fc from 'fast-check';
import { isIP } from 'node:net';
import { canonicalIp, ipToBytes, parseIp } from '../../ts/net/ip';

const anyIp = fc.oneof(fc.ipV4(), fc.ipV6());

// Strings built from the characters addresses are made of, so many are near misses.
const ipLike = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:.'), maxLength: 45 }),
  fc.ipV4Extended(),
  anyIp.map((s) => s.toUpperCase()),
  fc.tuple(fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 9 }), fc.boolean()).map(([words, compress]) => {
    const hex = words.map((w) => w.toString(16));
    if (compress) hex.splice(Math.floor(hex.length / 2), 0, '');
    return hex.join(':');
  }),
);

test('canonical form is idempotent and keeps the family', (t) => {
  fc.assert(
    fc.property(anyIp, (ip) => {
      const p = parseIp(ip);
      if (p === null) return false;
      const again = parseIp(p.address);
      return again !== null && again.address === p.address && again.family === p.family;
    }),
  );
  t.pass();
});

test('canonical form keeps the address bytes', (t) => {
  fc.assert(
    fc.property(anyIp, (ip) => {
      const a = ipToBytes(ip)!;
      const b = ipToBytes(canonicalIp(ip)!)!;
      return a.length === b.length && a.every((x, i) => x === b[i]);
    }),
  );
  t.pass();
});

test('canonical IPv6 is lower-case, has at most one ::, and no leading zeros', (t) => {
  fc.assert(
    fc.property(fc.ipV6(), (ip) => {
      const c = canonicalIp(ip)!;
      return c === c.toLowerCase() && c.split('::').length <= 2 && !/(^|:)0[0-9a-f]/.test(c.replace(/\d+\.\d+\.\d+\.\d+$/, ''));
    }),
  );
  t.pass();
});

test('agrees with node:net isIP on address-like strings', (t) => {
  fc.assert(
    fc.property(ipLike, (s) => {
      const ours = parseIp(s)?.family ?? 0;
      return ours === isIP(s);
    }),
    { numRuns: 5000 },
  );
  t.pass();
});

test('node:net agrees that canonical output is an address of the same family', (t) => {
  fc.assert(fc.property(anyIp, (ip) => isIP(canonicalIp(ip)!) === parseIp(ip)!.family));
  t.pass();
});
