import { describe, expect, test } from '@jest/globals';
import { collectExitCode, collectSummary } from '../../src/cli/commands/collect.js';
import type { Inventory, InventoryAccount } from '../../src/core/types.js';

const A = '111111111111';
const B = '222222222222';

function org(accounts: InventoryAccount[], regionsOf: string[]): Inventory {
  return {
    version: 1,
    collectedAt: '2026-12-01T00:00:00Z',
    accounts,
    regions: regionsOf.map((accountId) => ({ name: 'us-east-1', accountId, status: 'ok' as const })),
    instances: [],
  };
}

describe('collect: an organization inventory is complete only when every account was read', () => {
  test.each<[string, Inventory, 0 | 3, string]>([
    ['every account read', org([{ id: A, status: 'ok' }, { id: B, status: 'ok' }], [A, B]), 0, 'complete: 2 accounts, 2 regions'],
    ['a skipped (suspended) account is no gap', org([{ id: A, status: 'ok' }, { id: B, status: 'skipped', reason: 'not active (SUSPENDED)' }], [A]), 0, 'complete: 2 accounts, 1 regions'],
    [
      'a role that could not be assumed',
      org([{ id: A, status: 'error', error: { code: 'AccessDenied', message: 'no' } }], []),
      3,
      `INCOMPLETE: 1 accounts (unread: ${A} AccessDenied), 0 regions`,
    ],
    ['an account "ok" with not one region read', org([{ id: A, status: 'ok' }, { id: B, status: 'ok' }], [A]), 3, `INCOMPLETE: 2 accounts (unread: ${B} NoRegions), 1 regions`],
  ])('%s', (_name, inventory, code, summary) => {
    expect(collectExitCode(inventory)).toBe(code);
    expect(collectSummary(inventory, 'x.json')).toContain(`collect: ${summary}`);
  });

  test('one account (no accounts list): the summary names no accounts', () => {
    const single: Inventory = { version: 1, collectedAt: '2026-12-01T00:00:00Z', regions: [{ name: 'us-east-1', status: 'ok' }], instances: [] };
    expect(collectExitCode(single)).toBe(0);
    expect(collectSummary(single, 'x.json')).toBe('collect: complete: 1 regions, 0 instances (0 read) -> x.json');
  });
});
