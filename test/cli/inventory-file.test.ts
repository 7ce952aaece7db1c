import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { InventoryError, UserInputError } from '../../src/core/errors.js';
import { formatInventory, parseInventoryText, readInventoryFile } from '../../src/cli/inventory-file.js';
import { jsonErrorOffset, JsonTopLevelSplitter } from '../../src/core/json-split.js';
import { demoFleet } from '../../src/emulator/demo-fleet.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'portolan-inv-'));
});
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

function errorLines(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InventoryError);
    return (error as InventoryError).lines;
  }
  throw new Error('expected an InventoryError');
}

async function asyncErrorLines(fn: () => Promise<unknown>): Promise<string[]> {
  try {
    await fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UserInputError);
    return (error as UserInputError).lines;
  }
  throw new Error('expected a UserInputError');
}

const valid = {
  version: 1,
  collectedAt: '2026-11-25T12:00:00Z',
  regions: [
    { name: 'us-east-1', status: 'ok' },
    { name: 'eu-west-1', status: 'error', error: { code: 'AccessDeniedException', message: 'no' } },
  ],
  instances: [
    {
      name: 'web-1',
      region: 'us-east-1',
      arn: 'arn:aws:lightsail:us-east-1:111122223333:Instance/x',
      tags: [{ key: 'env', value: 'prod' }, { key: 'flag' }],
      publicIpAddress: '203.0.113.10',
      ipv6Addresses: [],
      blueprintId: 'extra fields are kept',
      portStates: [{ fromPort: '22', protocol: 'TCP', weird: true }],
    },
    { name: 'web-2', region: 'us-east-1', status: 'error', error: { code: 'ServiceException', message: 'boom' } },
    { name: 'web-3', region: 'us-east-1', status: 'gone' },
  ],
};

describe('readInventoryFile', () => {
  test('reads a valid file, keeping raw states and extra fields', async () => {
    const path = join(dir, 'ok.json');
    writeFileSync(path, JSON.stringify(valid, null, 2));
    const { inventory, faults } = await readInventoryFile(path);
    expect(inventory).toEqual(valid);
    expect(faults).toBeUndefined();
  });

  test('splits off the faults section', async () => {
    const path = join(dir, 'faults.json');
    const spec = { latencyMs: 5, rateLimit: { requestsPerSecond: 10, burst: 3 }, slowRegion: { region: 'eu-west-1', latencyMs: 50 }, seed: 7 };
    writeFileSync(path, `\ufeff${JSON.stringify({ ...valid, faults: spec })}`);
    const { inventory, faults } = await readInventoryFile(path);
    expect(faults).toEqual(spec);
    expect('faults' in inventory).toBe(false);
  });

  test('a missing file, a directory, a device: one line each, nothing read', async () => {
    const missing = join(dir, 'nope.json');
    expect(await asyncErrorLines(() => readInventoryFile(missing))).toEqual([`${missing}: cannot read inventory: ENOENT (no such file or directory)`]);
    expect(await asyncErrorLines(() => readInventoryFile(dir))).toEqual([`${dir}: cannot read inventory: a directory, not a file`]);
    expect(await asyncErrorLines(() => readInventoryFile('/dev/zero'))).toEqual(['/dev/zero: cannot read inventory: a character device, not a file']);
  });

  test('what collect writes (one line per instance) reads back as the same inventory', async () => {
    const path = join(dir, 'round.json');
    const fleet = demoFleet();
    writeFileSync(path, [...formatInventory(fleet)].join(''));
    expect((await readInventoryFile(path)).inventory).toEqual(JSON.parse(JSON.stringify(fleet)));
  });

  test('the demo fleet is a valid inventory', () => {
    expect(() => parseInventoryText(JSON.stringify(demoFleet()), 'demo.json')).not.toThrow();
  });
});

describe('JSON syntax errors name line and column', () => {
  test.each([
    ['{"a":}', 'inv.json: not valid JSON: Unexpected end of JSON input at line 1 column 6'],
    ['{\n  "version": 1,\n  "x": tru\n}', 'inv.json: not valid JSON: Unexpected end of JSON input at line 3 column 11'],
    ['{"a"', 'inv.json: not valid JSON: unexpected end of file at line 1 column 5'],
    ['', 'inv.json: not valid JSON: the file is empty; expected a JSON object at line 1 column 1'],
    ['{"a": 1}\n{"b": 2}', 'inv.json: not valid JSON: unexpected text after the end of the JSON object at line 2 column 1'],
    ['{"version": 1, "version": 1}', 'inv.json: not valid JSON: duplicate key "version" at line 1 column 16'],
    ['{"instances": [{"name": "a",\n "portStates": [{"x": 1,}]}]}', 'inv.json: not valid JSON: Expected double-quoted property name at line 2 column 25'],
    ['{"instances": [{"name": "PATH=/secret\u0001"}]}', 'inv.json: not valid JSON: Bad control character in string literal at line 1 column 38'],
  ])('%j', (text, line) => {
    const lines = errorLines(() => parseInventoryText(text, 'inv.json'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(line);
  });

  test('the streaming splitter reads any JSON object exactly as JSON.parse does, in chunks of any size', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue(), { maxKeys: 6 }), fc.integer({ min: 1, max: 17 }), fc.boolean(), (doc, size, pretty) => {
        const text = JSON.stringify(doc, null, pretty ? 2 : 0);
        const seen: Record<string, unknown> = {};
        const splitter = new JsonTopLevelSplitter(
          { streamed: new Set(Object.keys(doc).filter((_, i) => i % 2 === 0)), wanted: new Set(Object.keys(doc)) },
          {
            value: (k, v) => (seen[k] = v),
            element: (k, _i, v) => (seen[k] as unknown[]).push(v),
            arrayStart: (k) => (seen[k] = []),
          },
        );
        const bytes = Buffer.from(text);
        for (let i = 0; i < bytes.length; i += size) splitter.write(bytes.subarray(i, i + size));
        splitter.end();
        expect(seen).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });

  test('the splitter refuses what JSON.parse refuses', () => {
    fc.assert(
      fc.property(fc.json().map((j) => `{"k": ${j}}`), fc.nat(), (text, cut) => {
        const broken = text.slice(0, cut % text.length);
        const split = (): void => {
          const s = new JsonTopLevelSplitter({ streamed: new Set(['k']), wanted: new Set() }, { value: () => {}, element: () => {} });
          s.write(Buffer.from(broken));
          s.end();
        };
        expect(split).toThrow();
      }),
      { numRuns: 300 },
    );
  });

  test('the offset scanner agrees with JSON.parse on what is valid', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string({ maxLength: 30 }), fc.json().map((j) => j.slice(0, -1))), (text) => {
        let parses = true;
        try {
          JSON.parse(text);
        } catch {
          parses = false;
        }
        expect(jsonErrorOffset(text) === undefined).toBe(parses);
      }),
      { numRuns: 500 },
    );
  });
});

describe('shape errors are one line each, with a path', () => {
  const cases: [string, unknown, string[]][] = [
    ['not an object', [1, 2], ['inv.json: not valid JSON: expected a JSON object (the file must start with "{") at line 1 column 1']],
    ['wrong version', { ...valid, version: 2 }, ['inv.json: version: expected 1, got 2']],
    ['missing collectedAt', { ...valid, collectedAt: undefined }, ['inv.json: collectedAt: expected a string, got nothing']],
    ['no instances list', { version: 1, collectedAt: 'x', regions: [] }, ['inv.json: instances: missing (expected an array)']],
    [
      'an organization inventory naming an account it does not list',
      { ...valid, accounts: [{ id: '222222222222', status: 'ok' }], instances: [{ name: 'a', region: 'r', accountId: '333333333333' }] },
      ['inv.json: accounts: account "333333333333" is named by a region or an instance but not listed'],
    ],
    [
      'account ids that are not 12 digits (they name report files: "../" must never get through)',
      {
        ...valid,
        accounts: [{ id: '../../../../escaped', status: 'ok' }, { id: '22222222222', status: 'skipped' }],
        regions: [{ name: 'us-east-1', status: 'ok', accountId: '12345678901x' }],
        instances: [{ name: 'a', region: 'us-east-1', accountId: '../x' }],
      },
      [
        'inv.json: regions[0].accountId: expected a 12-digit AWS account id, got "12345678901x"',
        'inv.json: instances[0].accountId: expected a 12-digit AWS account id, got "../x"',
        'inv.json: accounts[0].id: expected a 12-digit AWS account id, got "../../../../escaped"',
        'inv.json: accounts[1].id: expected a 12-digit AWS account id, got "22222222222"',
      ],
    ],
    ['regions not an array', { ...valid, regions: {} }, ['inv.json: regions: expected an array, got an object']],
    [
      'bad region status',
      { ...valid, regions: [{ name: 'x', status: 'down' }] },
      ['inv.json: regions[0].status: expected "ok" or "error", got "down"'],
    ],
    [
      'instance name not a string',
      { ...valid, instances: [...valid.instances, { name: 5, region: 'us-east-1' }] },
      ['inv.json: instances[3].name: expected a string, got 5'],
    ],
    [
      'instance without region',
      { ...valid, instances: [{ name: 'a' }] },
      ['inv.json: instances[0].region: missing (expected a string)'],
    ],
    [
      'bad status, tags, ipv6, portStates and error',
      {
        ...valid,
        instances: [
          { name: 'a', region: 'r', status: 'dead', tags: [{ value: 'x' }], ipv6Addresses: [1], portStates: ['tcp/22'], error: 'x' },
        ],
      },
      [
        'inv.json: instances[0].status: expected "ok", "error" or "gone", got "dead"',
        'inv.json: instances[0].error: expected an object {code, message}, got "x"',
        'inv.json: instances[0].tags[0].key: missing (expected a string)',
        'inv.json: instances[0].ipv6Addresses[0]: expected a string, got 1',
        'inv.json: instances[0].portStates[0]: expected an object, got "tcp/22"',
      ],
    ],
    ['bad faults', { ...valid, faults: { errorRate: 2 } }, ['inv.json: faults.errorRate: expected a fraction 0..1, got 2']],
  ];
  test.each(cases)('%s', (_label, data, lines) => {
    expect(errorLines(() => parseInventoryText(JSON.stringify(data), 'inv.json'))).toEqual(lines);
  });

  test('a long list of problems is cut at 20 with a count', () => {
    const instances = Array.from({ length: 25 }, () => ({ name: 1, region: 'r' }));
    const lines = errorLines(() => parseInventoryText(JSON.stringify({ ...valid, instances }), 'inv.json'));
    expect(lines).toHaveLength(21);
    expect(lines[20]).toBe('inv.json: ... and 5 more problems');
  });
});

