// createStateNormalizer: alike raw states share one frozen normalized result
// and one memo; anything that could normalize differently does not; caching
// never changes the answer of normalizePortState.
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { createStateNormalizer, normalizePortState, type SharedState } from '../../src/core/normalize.js';
import type { RawPortState } from '../../src/core/types.js';

const BASE: RawPortState = {
  protocol: 'tcp',
  fromPort: 22,
  toPort: 22,
  state: 'open',
  cidrs: ['203.0.113.0/24', '10.0.0.5/8'],
  ipv6Cidrs: ['2001:db8::/32'],
  cidrListAliases: [],
};

/** A deep copy: alike, but no object in common with the original. */
function copy(raw: RawPortState): RawPortState {
  return structuredClone(raw);
}

function normalizer(): (raw: RawPortState) => SharedState<{ id: number }> {
  let made = 0;
  return createStateNormalizer(() => ({ id: ++made }));
}

describe('alike raw states share', () => {
  const alike: Array<[string, RawPortState]> = [
    ['a usual tcp state', BASE],
    ['an icmp state', { protocol: 'icmp', fromPort: 8, toPort: -1, state: 'open', cidrs: ['0.0.0.0/0'], ipv6Cidrs: [], cidrListAliases: [] }],
    ['an all state without state', { protocol: 'all', fromPort: 0, toPort: 65535, cidrs: ['0.0.0.0/0'], ipv6Cidrs: ['::/0'] }],
    ['odd protocol text', { protocol: ' TCP ', fromPort: 22, toPort: 22, state: 'open', cidrs: ['1.2.3.4'] }],
    ['string ports', { protocol: 'tcp', fromPort: '22', toPort: '22', cidrs: ['1.2.3.4'] }],
    ['out-of-range ports', { protocol: 'udp', fromPort: -1, toPort: 70000, cidrs: ['1.2.3.4'] }],
    ['an unknown state value', { protocol: 'tcp', fromPort: 1, toPort: 2, state: 'pending', cidrs: ['1.2.3.4'] }],
    ['garbage and numbers in the lists', { protocol: 'tcp', fromPort: 1, toPort: 2, cidrs: ['garbage', 5, null], ipv6Cidrs: [true] }],
    ['aliases', { protocol: 'tcp', fromPort: 22, toPort: 22, cidrs: [], cidrListAliases: ['lightsail-connect'] }],
    ['null lists', { protocol: 'tcp', fromPort: 22, toPort: 22, cidrs: null, ipv6Cidrs: null, cidrListAliases: null }],
  ];
  test.each(alike)('%s: the same SharedState and memo for distinct but alike objects', (_, raw) => {
    const normalize = normalizer();
    const first = normalize(raw);
    const second = normalize(copy(raw));
    expect(second).toBe(first);
    expect(second.memo).toBe(first.memo);
    expect(first.result).toEqual(normalizePortState(raw));
  });

  test('the memo is made once per distinct state and kept across calls', () => {
    const calls: string[] = [];
    const normalize = createStateNormalizer(() => {
      calls.push('made');
      return { verdicts: new Map<string, boolean>() };
    });
    normalize(BASE).memo.verdicts.set('ssh-world', true);
    expect(normalize(copy(BASE)).memo.verdicts.get('ssh-world')).toBe(true);
    normalize({ ...copy(BASE), toPort: 23 });
    normalize({ ...copy(BASE), toPort: 23 });
    expect(calls).toHaveLength(2);
  });
});

describe('states that differ do not share', () => {
  // [what differs, a, b]: each pair differs in one field only.
  const other = (change: RawPortState): RawPortState => ({ ...copy(BASE), ...change });
  const pairs: Array<[string, RawPortState, RawPortState]> = [
    ['protocol tcp vs udp', BASE, other({ protocol: 'udp' })],
    ['protocol "tcp" vs "TCP" (both normalize to tcp)', BASE, other({ protocol: 'TCP' })],
    ['protocol "tcp" vs " tcp "', BASE, other({ protocol: ' tcp ' })],
    ['protocol "-1" vs -1 (both all)', other({ protocol: '-1' }), other({ protocol: -1 })],
    ['protocol "all" vs "-1"', other({ protocol: 'all' }), other({ protocol: '-1' })],
    ['fromPort 22 vs "22"', BASE, other({ fromPort: '22' })],
    ['fromPort 22 vs 21', BASE, other({ fromPort: 21 })],
    ['toPort 22 vs 23', BASE, other({ toPort: 23 })],
    ['toPort 22 vs "22"', BASE, other({ toPort: '22' })],
    ['toPort 22 vs 22.5', BASE, other({ toPort: 22.5 })],
    ['state open vs closed', BASE, other({ state: 'closed' })],
    ['state open vs absent', BASE, other({ state: undefined })],
    ['state absent vs null', other({ state: undefined }), other({ state: null })],
    ['state "closed" vs "CLOSED"', other({ state: 'closed' }), other({ state: 'CLOSED' })],
    ['cidrs ["a","b"] vs ["a"] + ipv6Cidrs ["b"]', other({ cidrs: ['1.1.1.1', '2.2.2.2'], ipv6Cidrs: [] }), other({ cidrs: ['1.1.1.1'], ipv6Cidrs: ['2.2.2.2'] })],
    ['cidrs ["a"] vs ipv6Cidrs ["a"]', other({ cidrs: ['1.1.1.1'], ipv6Cidrs: [] }), other({ cidrs: [], ipv6Cidrs: ['1.1.1.1'] })],
    ['one-entry list ["5"] vs [5]', other({ cidrs: ['5'] }), other({ cidrs: [5] })],
    ['one-entry list ["1"] vs [1] (1 is also a list length)', other({ cidrs: ['1'] }), other({ cidrs: [1] })],
    ['cidrs order', other({ cidrs: ['1.1.1.1', '2.2.2.2'] }), other({ cidrs: ['2.2.2.2', '1.1.1.1'] })],
    ['cidrs ["a"] vs ["a","a"]', other({ cidrs: ['1.1.1.1'] }), other({ cidrs: ['1.1.1.1', '1.1.1.1'] })],
    ['cidrs [null] vs [undefined]', other({ cidrs: [null] }), other({ cidrs: [undefined] })],
    ['cidrs entry with spaces', other({ cidrs: ['1.1.1.1'] }), other({ cidrs: [' 1.1.1.1'] })],
    ['ipv6Cidrs differ', BASE, other({ ipv6Cidrs: ['2001:db8::/33'] })],
    ['aliases [] vs ["lightsail-connect"]', BASE, other({ cidrListAliases: ['lightsail-connect'] })],
    ['aliases ["a"] vs ["a","b"]', other({ cidrListAliases: ['a'] }), other({ cidrListAliases: ['a', 'b'] })],
    ['aliases vs the same text as an IPv6 entry', other({ ipv6Cidrs: [], cidrListAliases: ['x'] }), other({ ipv6Cidrs: ['x'], cidrListAliases: [] })],
  ];
  test.each(pairs)('%s', (_, a, b) => {
    const normalize = normalizer();
    const sa = normalize(a);
    const sb = normalize(b);
    expect(sb).not.toBe(sa);
    expect(sb.memo).not.toBe(sa.memo);
    // Each still gets its own right answer, and keeps it.
    expect(sa.result).toEqual(normalizePortState(a));
    expect(sb.result).toEqual(normalizePortState(b));
    expect(normalize(copy(a))).toBe(sa);
    expect(normalize(copy(b))).toBe(sb);
  });

  // Pairs that normalize identically: sharing is allowed, a wrong answer is not.
  const mayShare: Array<[string, RawPortState, RawPortState]> = [
    ['cidrs [] vs absent', other({ cidrs: [] }), other({ cidrs: undefined })],
    ['ipv6Cidrs [] vs null', other({ ipv6Cidrs: [] }), other({ ipv6Cidrs: null })],
    ['aliases [] vs absent', other({ cidrListAliases: [] }), other({ cidrListAliases: undefined })],
    ['fromPort null vs absent', other({ fromPort: null }), other({ fromPort: undefined })],
  ];
  test.each(mayShare)('%s may share: both normalize alike', (_, a, b) => {
    const normalize = normalizer();
    const sa = normalize(a);
    const sb = normalize(b);
    expect(normalizePortState(a)).toEqual(normalizePortState(b));
    expect(sa.result).toEqual(normalizePortState(a));
    expect(sb.result).toEqual(normalizePortState(b));
  });
});

describe('states with an object in a field', () => {
  const cases: Array<[string, RawPortState, string]> = [
    ['fromPort {}', { ...BASE, fromPort: {} }, 'malformed-port-range'],
    ['toPort [22]', { ...BASE, toPort: [22] }, 'malformed-port-range'],
    ['protocol {}', { ...BASE, protocol: { name: 'tcp' } }, 'unreadable-port-state'],
    ['state {}', { ...BASE, state: {} }, 'unknown-state'],
    ['a cidrs entry {}', { ...BASE, cidrs: [{ cidr: '1.2.3.4' }] }, 'unreadable-port-state'],
    ['an alias entry []', { ...BASE, cidrListAliases: [[]] }, 'unreadable-port-state'],
    ['cidrs as a string', { ...BASE, cidrs: '0.0.0.0/0' }, 'source-not-a-list'],
  ];
  test.each(cases)('%s: normalized correctly, uncached, with a diagnostic', (_, raw, code) => {
    const normalize = normalizer();
    const first = normalize(raw);
    const second = normalize(raw);
    expect(first.result).toEqual(normalizePortState(raw));
    expect(first.result.diagnostics.map((d) => d.code)).toContain(code);
    expect(second).not.toBe(first); // not cached: an object is no faithful key
    expect(second.result).toEqual(first.result);
    expect(Object.isFrozen(first.result)).toBe(true);
  });
});

describe('shared results', () => {
  test('are frozen: result, state, diagnostics list and sources', () => {
    const shared = normalizer()({ ...BASE, fromPort: 70000, cidrs: ['10.0.0.5/8'] });
    expect(shared.result.diagnostics.length).toBeGreaterThan(0);
    expect(Object.isFrozen(shared.result)).toBe(true);
    expect(Object.isFrozen(shared.result.state)).toBe(true);
    expect(Object.isFrozen(shared.result.diagnostics)).toBe(true);
    expect(Object.isFrozen(shared.result.state.sources)).toBe(true);
    expect(Object.isFrozen(shared.result.state.sources.cidrs)).toBe(true);
    expect(() => {
      (shared.result.diagnostics as unknown[]).push({});
    }).toThrow(TypeError);
  });

  test('each normalizer has its own cache: a new one gives a fresh SharedState and memo', () => {
    const one = normalizer();
    const two = normalizer();
    const a = one(BASE);
    const b = two(copy(BASE));
    expect(b).not.toBe(a);
    expect(b.memo).not.toBe(a.memo);
    expect(b.result).toEqual(a.result);
    expect(one(copy(BASE))).toBe(a);
    expect(two(BASE)).toBe(b);
  });
});

// ---------------------------------------------------------------- property

const protocolValue = fc.constantFrom<unknown>('tcp', 'udp', 'icmp', 'icmpv6', 'all', 'TCP', ' udp ', 'icmp6', '-1', -1, 6, 'gre', '', null, undefined);
const portValue = fc.constantFrom<unknown>(0, 22, 80, 65535, -1, 8, 255, 256, 70000, '22', null, undefined, 1.5);
const stateValue = fc.constantFrom<unknown>('open', 'closed', undefined, null, 'OPEN', 'pending');
const cidrEntry = fc.constantFrom<unknown>(
  '0.0.0.0/0', '::/0', '10.0.0.5/8', '203.0.113.0/24', '2001:db8::/32', '::ffff:1.2.3.4/120', ' 1.2.3.4 ', 'garbage', '', '1.2.3.4/33', '5', 5, null, true,
);
// No undefined inside lists: a JSON round trip turns it into null, which reads differently.
const cidrList = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, '0.0.0.0/0', 7) },
  { weight: 4, arbitrary: fc.array(cidrEntry, { maxLength: 3 }) },
);
const aliasList = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, 'lightsail-connect') },
  { weight: 4, arbitrary: fc.array(fc.constantFrom<unknown>('lightsail-connect', ' lightsail-connect ', 'other', '', 3), { maxLength: 2 }) },
);
const rawState: fc.Arbitrary<RawPortState> = fc.record(
  { protocol: protocolValue, fromPort: portValue, toPort: portValue, state: stateValue, cidrs: cidrList, ipv6Cidrs: cidrList, cidrListAliases: aliasList },
  { requiredKeys: [] },
);

const FIELDS = ['protocol', 'fromPort', 'toPort', 'state', 'cidrs', 'ipv6Cidrs', 'cidrListAliases'] as const;

/**
 * A run of states that are mostly near one another: a few random base states,
 * then variants that take one field from another random state. Independent
 * random states rarely differ in one field only, which is where a cache key
 * that drops or conflates a field would give a wrong answer.
 */
const nearStates: fc.Arbitrary<RawPortState[]> = fc
  .tuple(
    fc.array(rawState, { minLength: 1, maxLength: 4 }),
    fc.array(fc.tuple(fc.nat(), fc.constantFrom(...FIELDS), rawState), { maxLength: 36 }),
  )
  .map(([bases, variations]) => {
    const run = [...bases];
    for (const [pick, field, donor] of variations) {
      const variant: RawPortState = { ...run[pick % run.length]! };
      if (field in donor) variant[field] = donor[field];
      else Reflect.deleteProperty(variant, field);
      run.push(variant);
    }
    return run;
  });

/** Every value the generator draws is a primitive, so only a source field that is not a list keeps a state out of the cache. */
function cacheable(raw: RawPortState): boolean {
  return [raw.cidrs, raw.ipv6Cidrs, raw.cidrListAliases].every((v) => v === undefined || v === null || Array.isArray(v));
}

describe('property: caching never changes the answer', () => {
  test('over a run of random states through one normalizer, every result equals normalizePortState, and alike copies share', () => {
    fc.assert(
      fc.property(nearStates, (raws) => {
        const normalize = createStateNormalizer(() => ({}));
        const seen: Array<{ expected: ReturnType<typeof normalizePortState>; shared: SharedState<object> }> = [];
        for (const raw of raws) {
          const expected = normalizePortState(raw);
          const shared = normalize(raw);
          expect(shared.result).toEqual(expected);
          // A structurally equal copy shares, unless a source field is not a list (read uncached).
          const twin = JSON.parse(JSON.stringify(raw)) as RawPortState;
          if (cacheable(raw)) expect(normalize(twin)).toBe(shared);
          else expect(normalize(twin).result).toEqual(expected);
          seen.push({ expected, shared });
        }
        // One SharedState never serves two different answers.
        for (const a of seen) {
          for (const b of seen) if (a !== b && a.shared === b.shared) expect(b.expected).toEqual(a.expected);
        }
      }),
      { numRuns: 150 },
    );
  });
});
