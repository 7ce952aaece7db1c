import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { InventoryError } from '../../src/core/errors.js';
import { jsonErrorOffset, parseInventoryText, readInventoryFile, validateFaults } from '../../src/cli/inventory-file.js';
import { demoFleet } from '../../src/emulator/demo-fleet.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'portolan-inv-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function errorLines(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InventoryError);
    return (error as InventoryError).lines;
  }
  throw new Error('expected an InventoryError');
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
  test('reads a valid file, keeping raw states and extra fields', () => {
    const path = join(dir, 'ok.json');
    writeFileSync(path, JSON.stringify(valid, null, 2));
    const { inventory, faults } = readInventoryFile(path);
    expect(inventory).toEqual(valid);
    expect(faults).toBeUndefined();
  });

  test('splits off the faults section', () => {
    const path = join(dir, 'faults.json');
    const spec = { latencyMs: 5, rateLimit: { requestsPerSecond: 10, burst: 3 }, slowRegion: { region: 'eu-west-1', latencyMs: 50 }, seed: 7 };
    writeFileSync(path, `\ufeff${JSON.stringify({ ...valid, faults: spec })}`);
    const { inventory, faults } = readInventoryFile(path);
    expect(faults).toEqual(spec);
    expect('faults' in inventory).toBe(false);
  });

  test('a missing file', () => {
    expect(errorLines(() => readInventoryFile(join(dir, 'nope.json')))).toEqual([`${join(dir, 'nope.json')}: cannot read inventory: no such file`]);
  });

  test('the demo fleet is a valid inventory', () => {
    expect(() => parseInventoryText(JSON.stringify(demoFleet()), 'demo.json')).not.toThrow();
  });
});

describe('JSON syntax errors name line and column', () => {
  test.each([
    ['{"a":}', "inv.json: not valid JSON: Unexpected token '}' at line 1 column 6"],
    ['{\n  "version": 1,\n  "x": tru\n}', "inv.json: not valid JSON: Unexpected token '\\n' at line 3 column 11"],
    ['{"a"', "inv.json: not valid JSON: Expected ':' after property name at line 1 column 5"],
    ['', 'inv.json: not valid JSON: Unexpected end of JSON input at line 1 column 1'],
    ['{"a": 1}\n{"b": 2}', 'inv.json: not valid JSON: Unexpected non-whitespace character after JSON at line 2 column 1'],
  ])('%j', (text, line) => {
    const lines = errorLines(() => parseInventoryText(text, 'inv.json'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe(line);
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
    ['not an object', [1, 2], ['inv.json: expected an inventory object {version, collectedAt, regions, instances}, got an array']],
    ['wrong version', { ...valid, version: 2 }, ['inv.json: version: expected 1, got 2']],
    ['missing collectedAt', { ...valid, collectedAt: undefined }, ['inv.json: collectedAt: expected a string, got undefined']],
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

describe('validateFaults', () => {
  test.each([
    [{}, []],
    [{ latencyMs: 0, jitterMs: 3, errorRate: 0.5, dropRate: 0, seed: 42 }, []],
    [{ latencyMs: -1 }, ['faults.latencyMs: expected a number >= 0, got -1']],
    [{ rateLimit: { burst: 0 } }, ['faults.rateLimit.requestsPerSecond: expected a number > 0, got undefined', 'faults.rateLimit.burst: expected an integer >= 1, got 0']],
    [{ slowRegion: { latencyMs: 10 } }, ['faults.slowRegion.region: expected a string, got undefined']],
    [{ seed: 1.5 }, ['faults.seed: expected an integer, got 1.5']],
    [{ latency: 5 }, ['faults.latency: unknown fault (known: latencyMs, jitterMs, rateLimit, errorRate, dropRate, slowRegion, seed)']],
    ['fast', ['faults: expected an object, got "fast"']],
  ])('%j', (value, problems) => {
    expect(validateFaults(value, 'faults')).toEqual(problems);
  });
});
