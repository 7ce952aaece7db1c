// The organization file (org-v1 O1): validation lists every problem at once as
// `path: message`; loading resolves inventory paths relative to the file,
// through an injected loader when given, and names the file in every line.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserInputError } from '../../src/core/errors.js';
import { loadOrganizationFile, validateOrganization, type OrganizationSpec } from '../../src/emulator/organization-file.js';
import { startEmulator } from '../../src/emulator/server.js';
import { instance } from './helpers.js';

/** The example of org-v1 O1, with its elided inventory filled in. */
const EXAMPLE = {
  version: 1,
  organization: { id: 'o-a1b2c3d4e5', managementAccountId: '111111111111' },
  units: [
    { id: 'ou-root-prod1234', name: 'prod', parent: 'r-root' },
    { id: 'ou-root-shop5678', name: 'shop', parent: 'ou-root-prod1234' },
  ],
  accounts: [
    {
      id: '222222222222',
      name: 'shop-prod',
      status: 'ACTIVE',
      parent: 'ou-root-shop5678',
      roles: [{ name: 'PortolanAudit', externalId: 'team-secret-1' }],
      inventory: { regions: [{ name: 'us-east-1', status: 'ok' }], instances: [instance('web-1', 'us-east-1')], faults: { latencyMs: 5 } },
    },
    { id: '333333333333', name: 'legacy', status: 'SUSPENDED', parent: 'r-root', roles: [], inventory: { regions: [], instances: [] } },
  ],
};

async function problems(run: () => Promise<unknown>): Promise<string[]> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(UserInputError);
    return (error as UserInputError).lines;
  }
  throw new Error('expected a UserInputError');
}

describe('validateOrganization', () => {
  test('the O1 example is valid', () => {
    expect(validateOrganization(EXAMPLE)).toEqual([]);
  });

  test('every problem at once, each with its path', () => {
    const broken = {
      version: 2,
      organization: { id: 'org-1', managementAccountId: '1111', rootId: 'root', deniedOperations: ['ListAccounts', 'CreateAccount'], extra: 1 },
      units: [
        { id: 'ou-root-prod1234', name: 'prod', parent: 'r-nope' },
        { id: 'ou-root-prod1234', name: '', parent: 'root' },
        { id: 'ou-aaaa-aaaaaaaa', name: 'a', parent: 'ou-bbbb-bbbbbbbb' },
        { id: 'ou-bbbb-bbbbbbbb', name: 'b', parent: 'ou-aaaa-aaaaaaaa' },
        'not a unit',
      ],
      accounts: [
        {
          id: '222222222222',
          name: 'shop',
          status: 'active',
          parent: 'ou-none-00000000',
          email: 'nobody',
          joinedMethod: 'BORN',
          joinedTimestamp: 'yesterday',
          roles: [{ name: 'Portolan Audit', externalId: 'x' }, { name: 'R', maxSessionDuration: 60 }, { name: 'R' }],
          inventory: {
            regions: [{ name: 'us-east-1', status: 'fine' }],
            instances: [{ name: 'web-1', region: 'us-east-1', arn: 'arn:aws:lightsail:us-east-1:999999999999:Instance/x', portStates: [1] }],
            faults: { latencyMs: 5e9, portDrift: { rate: 2 } },
          },
        },
        { id: '222222222222', name: 'x'.repeat(51), status: 'ACTIVE', parent: 'root', inventory: '' },
        { id: 22, name: 'n', status: 'ACTIVE', parent: 'root', inventory: { regions: {}, instances: [] } },
      ],
      faults: { organizations: { portDrift: { rate: 1 } }, sts: { emptyPages: true }, ec2: {} },
    };
    expect(validateOrganization(broken)).toEqual([
      'version: expected 1, got 2',
      'organization.extra: unknown key (known: id, managementAccountId, rootId, deniedOperations)',
      'organization.id: expected an organization id like "o-a1b2c3d4e5", got "org-1"',
      'organization.managementAccountId: expected a 12-digit account id, got "1111"',
      'organization.rootId: expected a root id like "r-a1b2", got "root"',
      'organization.deniedOperations[1]: expected "*" or one of ListRoots, ListOrganizationalUnitsForParent, ListAccountsForParent, ListAccounts, DescribeOrganization, got "CreateAccount"',
      'units[4]: expected an organizational unit {id, name, parent}, got "not a unit"',
      'units[1].name: expected a name of 1..128 characters, got ""',
      'units[1].id: duplicate id ou-root-prod1234',
      'units[0].parent: expected the root id ("root") or the id of a unit in units[], got "r-nope"',
      'units: ou-aaaa-aaaaaaaa: its parents form a cycle and never reach the root "root"',
      'units: ou-bbbb-bbbbbbbb: its parents form a cycle and never reach the root "root"',
      'accounts[0].status: expected one of ACTIVE, SUSPENDED, PENDING_ACTIVATION, PENDING_CLOSURE, CLOSED, got "active"',
      'accounts[0].parent: expected the root id or the id of a unit in units[], got "ou-none-00000000"',
      'accounts[0].email: expected an email address, got "nobody"',
      'accounts[0].joinedMethod: expected "INVITED" or "CREATED", got "BORN"',
      'accounts[0].joinedTimestamp: expected an ISO 8601 time, got "yesterday"',
      'accounts[0].roles[0].name: expected a role name of 1..64 characters [\\w+=,.@-], got "Portolan Audit"',
      'accounts[0].roles[0].externalId: expected an external id of 2..1224 characters [\\w+=,.@:/-], got "x"',
      'accounts[0].roles[1].maxSessionDuration: expected whole seconds 3600..43200, got 60',
      'accounts[0].roles[2].name: duplicate role R',
      'accounts[0].inventory.regions[0].status: expected "ok" or "error", got "fine"',
      'accounts[0].inventory.instances[0].portStates[0]: expected an object, got 1',
      'accounts[0].inventory.instances[0].arn: names account 999999999999, but this is the inventory of account 222222222222',
      'accounts[0].inventory.faults.latencyMs: expected milliseconds 0..3600000 (one hour at most), got 5000000000',
      'accounts[0].inventory.faults.portDrift.rate: expected a fraction 0..1, got 2',
      'accounts[1].id: duplicate account 222222222222',
      'accounts[1].name: expected a name of 1..50 characters, got "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
      'accounts[1].inventory: expected an inventory object or a file path, got ""',
      'accounts[2].id: expected a 12-digit account id, got 22',
      'accounts[2].inventory.regions: expected an array, got an object',
      'faults.ec2: unknown key (known: organizations, sts, lightsail)',
      'faults.organizations.portDrift: only for Lightsail (it changes GetInstances listings)',
      'faults.sts.emptyPages: only for Organizations (it changes its listings)',
    ]);
  });

  test('untrusted text is quoted short and escaped, never whole', () => {
    const name = `\u001b[31m${'A'.repeat(500)}`;
    const [line] = validateOrganization({ ...EXAMPLE, organization: { ...EXAMPLE.organization, id: name } });
    expect(line).toBe(`organization.id: expected an organization id like "o-a1b2c3d4e5", got "\\u001b[31m${'A'.repeat(54)}…" (505 characters)`);
  });

  test('not an object at all', () => {
    expect(validateOrganization([])).toEqual(['expected an organization object {version, organization, units, accounts}, got a list of 0']);
  });
});

describe('validateOrganization on anything', () => {
  const PLACES: (string | number)[][] = [
    ['version'], ['organization'], ['organization', 'id'], ['organization', 'managementAccountId'], ['organization', 'rootId'], ['organization', 'deniedOperations'],
    ['units'], ['units', 0], ['units', 0, 'id'], ['units', 1, 'parent'], ['accounts'], ['accounts', 0], ['accounts', 0, 'id'], ['accounts', 1, 'status'],
    ['accounts', 0, 'parent'], ['accounts', 0, 'roles'], ['accounts', 0, 'roles', 0], ['accounts', 0, 'roles', 0, 'externalId'], ['accounts', 0, 'inventory'],
    ['accounts', 0, 'inventory', 'instances'], ['accounts', 0, 'inventory', 'instances', 0], ['accounts', 0, 'inventory', 'faults'], ['faults'], ['faults', 'sts'],
  ];
  const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }), fc.constantFrom('__proto__', 'constructor', 'r-root', 'ou-root-prod1234', '222222222222', 'ACTIVE', '*'));
  const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }), text);

  function placed(place: (string | number)[], replacement: unknown): unknown {
    const copy = JSON.parse(JSON.stringify(EXAMPLE)) as Record<string, unknown>;
    let at: unknown = copy;
    for (const key of place.slice(0, -1)) at = at !== null && typeof at === 'object' ? (at as Record<string | number, unknown>)[key] : undefined;
    if (at !== null && typeof at === 'object') Object.defineProperty(at, place[place.length - 1] as string, { value: replacement, enumerable: true, writable: true, configurable: true });
    return copy;
  }

  test('property: any value anywhere gives one-line problems, never a throw; whatever passes is served', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PLACES), value, async (place, replacement) => {
        const data = placed(place, replacement);
        const found = validateOrganization(data);
        for (const line of found) expect(line).not.toMatch(/[\u0000-\u001f\u2028\u2029]/);
        if (found.length > 0) return;
        // A valid file may still name an inventory by path: then startEmulator says so, as a user's mistake.
        const started = await startEmulator({ organization: data as OrganizationSpec }).catch((e: unknown) => e);
        if (started instanceof UserInputError) return;
        const emulator = started as Awaited<ReturnType<typeof startEmulator>>;
        try {
          const client = new OrganizationsClient({ endpoint: emulator.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
          const out = await client.send(new ListAccountsCommand({})).catch((e: unknown) => e as Error);
          expect(out instanceof Error ? out.name : 'ok').toMatch(/^(ok|AccessDeniedException)$/);
        } finally {
          await emulator.close();
        }
      }),
      { numRuns: 120 },
    );
  });
});

describe('loadOrganizationFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'portolan-org-'));
    mkdirSync(join(dir, 'accounts'));
  });
  afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

  const write = (name: string, data: unknown): string => {
    const path = join(dir, name);
    writeFileSync(path, typeof data === 'string' ? data : JSON.stringify(data));
    return path;
  };

  test('an inventory path is read relative to the organization file, with its faults, and served', async () => {
    write('accounts/shop.json', { version: 1, collectedAt: '2026-11-25T12:00:00Z', regions: [], instances: [instance('web-9', 'eu-west-1')], faults: { errorRate: 0.5 } });
    const accounts = [{ ...EXAMPLE.accounts[0], inventory: 'accounts/shop.json' }, EXAMPLE.accounts[1]];
    const path = write('org.json', { ...EXAMPLE, accounts });
    const spec = await loadOrganizationFile(path);
    expect(spec.accounts[0]?.inventory).toMatchObject({ instances: [{ name: 'web-9' }], faults: { errorRate: 0.5 } });
    const emulator = await startEmulator({ organization: spec });
    await emulator.close();
  });

  test('an injected loader gets the absolute path, and its problems are passed on as they are', async () => {
    const seen: string[] = [];
    const accounts = [{ ...EXAMPLE.accounts[0], inventory: './accounts/a.json' }, { ...EXAMPLE.accounts[1], inventory: 'accounts/b.json' }];
    const path = write('org-loader.json', { ...EXAMPLE, accounts });
    const lines = await problems(() =>
      loadOrganizationFile(path, {
        loadInventory: (file) => {
          seen.push(file);
          if (file.endsWith('b.json')) throw new UserInputError(`${file}: instances[0].name: expected a string, got 3`);
          return Promise.resolve({ inventory: { regions: [], instances: [{ name: 'w', region: 'r', arn: 'arn:aws:lightsail:r:333333333333:Instance/x' }] } });
        },
      }),
    );
    expect(seen.sort()).toEqual([join(dir, 'accounts/a.json'), join(dir, 'accounts/b.json')]);
    expect(lines).toEqual([
      `${join(dir, 'accounts/a.json')}: instances[0].arn: names account 333333333333, but this is the inventory of account 222222222222`,
      `${join(dir, 'accounts/b.json')}: instances[0].name: expected a string, got 3`,
    ]);
  });

  test('a missing inventory file, a missing organization file, bad JSON and a bad shape are one line each', async () => {
    const accounts = [{ ...EXAMPLE.accounts[0], inventory: 'accounts/none.json' }];
    const path = write('org-missing.json', { ...EXAMPLE, accounts });
    expect(await problems(() => loadOrganizationFile(path))).toEqual([`${join(dir, 'accounts/none.json')}: cannot read inventory file: no such file`]);
    expect(await problems(() => loadOrganizationFile(join(dir, 'nope.json')))).toEqual([`${join(dir, 'nope.json')}: cannot read organization file: no such file`]);
    const bad = write('bad.json', '{\n  "version": 1,\n  "units": [,]\n}');
    expect(await problems(() => loadOrganizationFile(bad))).toEqual([`${bad}: not valid JSON: Unexpected token ','`]);
    const cut = write('cut.json', '{"version": 1,');
    expect(await problems(() => loadOrganizationFile(cut))).toEqual([`${cut}: not valid JSON: Expected double-quoted property name at line 1 column 15`]);
    const shape = write('shape.json', { version: 1 });
    expect(await problems(() => loadOrganizationFile(shape))).toEqual([
      `${shape}: organization: expected an object {id, managementAccountId}, got undefined`,
      `${shape}: accounts: expected an array of accounts, got undefined`,
    ]);
  });

  test('startEmulator refuses an organization whose inventories are still paths', async () => {
    const spec = { ...EXAMPLE, accounts: [{ ...EXAMPLE.accounts[0], inventory: 'accounts/shop.json' }] } as unknown as OrganizationSpec;
    await expect(startEmulator({ organization: spec })).rejects.toThrow('organization: accounts[0].inventory: a file path; read the file with loadOrganizationFile first');
  });
});
