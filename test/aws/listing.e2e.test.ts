// The two views of a firewall: GetInstancePortStates (judged by default) and
// the GetInstances listing (networking.ports). Drift between them is reported;
// `--port-source listing` judges the listing alone, with far fewer calls.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { collectInventory, type CollectOptions } from '../../src/aws/collector.js';
import { benchFleet } from '../../src/bench/collector.js';
import { portDrift } from '../../src/core/drift.js';
import { evaluate } from '../../src/core/evaluate.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { loadPolicy } from '../../src/policy/load.js';
import { dummyCredentials, useOfflineAwsEnv } from './env.js';

useOfflineAwsEnv();
const policy = loadPolicy('rules/baseline.yaml');
const NOW = { now: new Date('2026-12-01T00:00:00Z') };
const fleet = benchFleet(1, 200);
const options = (url: string, extra: Partial<CollectOptions> = {}): CollectOptions => ({ endpointUrl: url, homeRegion: 'xx-bench-1', credentials: dummyCredentials, retryDelayBaseMs: 2, ...extra });

describe('GetInstances listing and port states', () => {
  let agreeing: RunningEmulator;
  beforeAll(async () => {
    agreeing = await startEmulator({ inventory: fleet });
  });
  afterAll(() => agreeing.close());

  test('--port-source listing: the same findings as the port states when the views agree, with a tenth of the calls or fewer', async () => {
    const byStates = await collectInventory(options(agreeing.url));
    const statesCalls = agreeing.callCount();
    const byListing = await collectInventory(options(agreeing.url, { portSource: 'listing' }));
    const listingCalls = agreeing.callCount() - statesCalls;
    expect(agreeing.callCount({ operation: 'GetInstancePortStates' })).toBe(200); // the first run only
    expect(listingCalls * 10).toBeLessThanOrEqual(statesCalls);
    expect(byListing.portSource).toBe('listing');
    const a = evaluate(policy, byStates, NOW);
    const b = evaluate(policy, byListing, NOW);
    expect(b.findings.map((f) => f.fingerprint)).toEqual(a.findings.map((f) => f.fingerprint));
    expect(a.findings.length).toBeGreaterThan(0);
    expect(a.diagnostics.filter((d) => d.code === 'port-drift')).toEqual([]);
  });

  test('the listing is recorded in the inventory beside the port states', async () => {
    const inv = await collectInventory(options(agreeing.url, { regions: ['xx-bench-1'] }));
    expect(inv.instances[0]?.listedPorts?.map((p) => [p.protocol, p.fromPort, p['accessDirection']])).toEqual([
      ['tcp', 22, 'inbound'],
      ['tcp', 443, 'inbound'],
    ]);
  });

  test('drift is reported as a warning naming the difference; the port states are what is judged', async () => {
    const drifting = await startEmulator({ inventory: fleet, faults: { portDrift: { instances: ['i-7'] } } });
    try {
      const inv = await collectInventory(options(drifting.url));
      const result = evaluate(policy, inv, NOW);
      const drift = result.diagnostics.filter((d) => d.code === 'port-drift');
      expect(drift.map((d) => [d.level, d.instance?.name])).toEqual([['warning', 'i-7']]);
      expect(drift[0]?.message).toBe(
        'GetInstances (networking.ports) and GetInstancePortStates disagree: open in the port states but not listed: tcp 22-22 from 0.0.0.0/0,::/0; the audit judged the port states',
      );
      expect(result.findings.some((f) => f.instance.name === 'i-7' && f.portState.fromPort === 22)).toBe(true);
    } finally {
      await drifting.close();
    }
  });

  test('with --port-source listing, an instance whose listing cannot be read is unread, never clean', async () => {
    const server = await startEmulator({ inventory: { ...fleet, instances: fleet.instances.slice(0, 3).map((i) => ({ ...i, listedPorts: [42] as unknown as [] })) } });
    try {
      const inv = await collectInventory(options(server.url, { portSource: 'listing' }));
      expect(inv.instances.map((i) => [i.status, i.error?.code])).toEqual(Array(3).fill(['error', 'MalformedResponse']));
    } finally {
      await server.close();
    }
  });
});

describe('portDrift', () => {
  const state = (port: number, cidrs: string[], extra: Record<string, unknown> = {}) => ({ fromPort: port, toPort: port, protocol: 'tcp', cidrs, ...extra });
  test.each<[string, unknown[], unknown[], string | undefined]>([
    ['agree, in any order and with sources in any order', [state(22, ['b', 'a']), state(443, [])], [state(443, []), state(22, ['a', 'b'])], undefined],
    ['closed states are not listed', [state(22, ['a'])], [state(22, ['a']), state(80, ['a'], { state: 'closed' })], undefined],
    ['outbound listings are not inbound states', [state(22, ['a']), state(53, ['a'], { accessDirection: 'outbound' })], [state(22, ['a'])], undefined],
    ['a port only in the states', [state(443, ['a'])], [state(443, ['a']), state(22, ['0.0.0.0/0'])], 'GetInstances (networking.ports) and GetInstancePortStates disagree: open in the port states but not listed: tcp 22-22 from 0.0.0.0/0; the audit judged the port states'],
    ['a wider source in the listing', [state(22, ['0.0.0.0/0'])], [state(22, ['10.0.0.0/8'])], 'GetInstances (networking.ports) and GetInstancePortStates disagree: open in the port states but not listed: tcp 22-22 from 10.0.0.0/8; listed but not open in the port states: tcp 22-22 from 0.0.0.0/0; the audit judged the port states'],
  ])('%s', (_label, listed, states, message) => {
    expect(portDrift(listed, states)).toBe(message);
  });
});
