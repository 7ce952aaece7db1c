import { describe, expect, test } from '@jest/globals';
import { portDrift } from '../../src/core/drift.js';

const SSH = { fromPort: 22, toPort: 22, protocol: 'tcp', cidrs: ['0.0.0.0/0'], ipv6Cidrs: [], cidrListAliases: [] };
const HTTPS = { ...SSH, fromPort: 443, toPort: 443 };

describe('portDrift', () => {
  test.each<[string, unknown[], unknown[], RegExp | undefined]>([
    ['the same entries agree', [{ ...SSH, accessDirection: 'inbound' }], [{ ...SSH, state: 'open' }], undefined],
    ['source order and protocol case do not matter', [{ ...SSH, protocol: 'TCP', cidrs: ['b', 'a'] }], [{ ...SSH, cidrs: ['a', 'b'] }], undefined],
    ['a closed state is not open', [], [{ ...SSH, state: 'closed' }], undefined],
    ['an outbound listing entry is not an inbound port', [{ ...SSH, accessDirection: 'outbound' }], [], undefined],
    ['a listed port missing from the states', [SSH, HTTPS], [SSH], /listed but not open in the port states: tcp 443-443 from 0\.0\.0\.0\/0/],
    ['a state missing from the listing', [], [SSH], /open in the port states but not listed: tcp 22-22 from 0\.0\.0\.0\/0/],
    ['an unexpected direction is compared, never dropped (fail closed)', [{ ...SSH, accessDirection: 'INBOUND' }], [], /listed but not open in the port states: tcp 22-22/],
  ])('%s', (_label, listed, states, expected) => {
    const drift = portDrift(listed, states);
    if (expected === undefined) expect(drift).toBeUndefined();
    else expect(drift).toMatch(expected);
  });

  test('long values compare whole but are quoted cut; values nested without end are named by kind, never walked', () => {
    const long = `10.0.0.0/8${'x'.repeat(10_000)}`;
    const drift = portDrift([{ ...SSH, cidrs: [`${long}a`] }], [{ ...SSH, cidrs: [`${long}b`] }]) ?? '';
    expect(drift).toMatch(/^GetInstances \(networking\.ports\) and GetInstancePortStates disagree/);
    expect(drift.length).toBeLessThan(1000);
    let deep: unknown = [];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(portDrift([{ ...SSH, protocol: deep, cidrs: [deep] }], [SSH])).toMatch(/listed but not open in the port states: a list of 1 22-22 from a list of 1/);
  });
});
