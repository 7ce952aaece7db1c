// Random input into the whole offline pipeline, in-process (the same functions
// the CLI calls) and, for a sample, through the built CLI: random JSON values
// in every inventory field, random YAML as a policy. Whatever comes in, the
// result is a usage error (exit 2) or an audit with its reports, never a
// crash, and never a clean exit (0) with a port state that could not be read.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { auditExitCode } from '../../src/cli/commands/audit.js';
import { parseInventoryText } from '../../src/cli/inventory-file.js';
import { UserInputError } from '../../src/core/errors.js';
import { FleetAudit } from '../../src/core/evaluate.js';
import type { Policy } from '../../src/core/types.js';
import { loadPolicy, validatePolicyText } from '../../src/policy/load.js';
import { REPORT_FORMATS, reportText } from '../../src/report/index.js';
import { expectNoStack, runCli } from './run-cli.js';

const META = { generatedAt: '2026-11-25T12:00:00.000Z', toolName: 'portolan' as const, toolVersion: '0', informationUri: 'https://x', source: 'fuzz.json' };
const policy: Policy = loadPolicy('rules/baseline.yaml');

const state = { fromPort: 22, toPort: 22, protocol: 'tcp', state: 'open', cidrs: ['0.0.0.0/0'], ipv6Cidrs: ['::/0'], cidrListAliases: [] };
const base = {
  version: 1,
  collectedAt: '2026-11-25T12:00:00Z',
  regions: [{ name: 'us-east-1', status: 'ok' }],
  instances: [
    { name: 'web-1', region: 'us-east-1', arn: 'arn:aws:lightsail:us-east-1:111122223333:Instance/a', tags: [{ key: 'env', value: 'prod' }], portStates: [state, { ...state, fromPort: 443, toPort: 443 }] },
  ],
};

/** Every path to a value in the base inventory (objects and arrays included). */
function paths(value: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [at];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...at, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...at, k]));
  return out;
}
const PATHS = paths(base).filter((p) => p.length > 0);

function withValue(path: Array<string | number>, value: unknown): unknown {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1] as string | number] = value;
  return copy;
}

/** A source field no one can read: present, not null, not a string, not a list of strings. */
function unreadableSources(inventory: unknown): boolean {
  const instances = (inventory as { instances?: unknown }).instances;
  if (!Array.isArray(instances)) return false;
  return instances.some((i: unknown) => {
    const states = (i as { portStates?: unknown } | null)?.portStates;
    if (!Array.isArray(states)) return false;
    return states.some((s: unknown) =>
      ['cidrs', 'ipv6Cidrs', 'cidrListAliases'].some((k) => {
        const v = (s as Record<string, unknown> | null)?.[k];
        if (v === undefined || v === null || typeof v === 'string') return false;
        return !Array.isArray(v) || v.some((e: unknown) => typeof e !== 'string');
      }),
    );
  });
}

type Outcome = { kind: 'usage'; lines: string[] } | { kind: 'audit'; exit: number };

function auditText(text: string): Outcome {
  let inventory;
  try {
    inventory = parseInventoryText(text, 'fuzz.json').inventory;
  } catch (e) {
    if (e instanceof UserInputError) return { kind: 'usage', lines: e.lines };
    throw e;
  }
  const audit = new FleetAudit(policy, { now: new Date('2026-11-25T12:00:00Z') });
  audit.addInventory(inventory);
  const result = audit.finish();
  for (const f of REPORT_FORMATS) expect(reportText(f, result, META).length).toBeGreaterThan(0);
  return { kind: 'audit', exit: auditExitCode(result, 'none', false) };
}

describe('random JSON in every inventory field', () => {
  test('a usage error or an audit; never a crash; never clean with an unreadable state', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PATHS), fc.jsonValue({ maxDepth: 3 }), (path, value) => {
        const inventory = withValue(path, value);
        const outcome = auditText(JSON.stringify(inventory));
        if (outcome.kind === 'usage') {
          expect(outcome.lines.length).toBeGreaterThan(0);
          for (const line of outcome.lines) expect(line).not.toMatch(/\n/);
          return;
        }
        if (unreadableSources(inventory)) expect(outcome.exit).not.toBe(0);
      }),
      { numRuns: 600 },
    );
  });

  test('random bytes and cut-off files are usage errors, one line each', () => {
    const text = JSON.stringify(base);
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.nat({ max: text.length - 1 }).map((n) => text.slice(0, n))), (junk) => {
        const outcome = auditText(junk);
        expect(outcome.kind).toBe('usage');
      }),
      { numRuns: 200 },
    );
  });
});

describe('random YAML as a policy', () => {
  const YAML_VALUE = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v));
  const KEY = fc.constantFrom('version', 'extends', 'networks', 'rules', 'exceptions', 'id', 'title', 'severity', 'match', 'allow', 'scope', 'ports', 'protocol', 'icmp', 'source', 'reason', 'expires', 'x');

  test('problems with positions or a policy, never an exception', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(KEY, YAML_VALUE), { maxLength: 6 }), (pairs) => {
        const text = `version: 1\n${pairs.map(([k, v]) => `${k}: ${v}`).join('\n')}\n`;
        const r = validatePolicyText(text, 'fuzz.yaml');
        expect(r.policy === undefined).toBe(r.problems.length > 0);
        for (const p of r.problems) expect(p.message).not.toMatch(/\n/);
      }),
      { numRuns: 400 },
    );
  });

  test('deep nesting is a problem, not a stack overflow', () => {
    for (const depth of [1_000, 20_000]) {
      const r = validatePolicyText(`version: 1\nrules: ${'['.repeat(depth)}${']'.repeat(depth)}\n`, 'deep.yaml');
      expect(r.problems.length).toBeGreaterThan(0);
    }
  });
});

describe('through the built CLI', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'portolan-fuzz-'));
  });
  afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

  test('random inventories: exit 0-3 only, no stack, exit 2 writes nothing', async () => {
    const samples = fc.sample(fc.tuple(fc.constantFrom(...PATHS), fc.jsonValue({ maxDepth: 2 })), { numRuns: 8, seed: 7 });
    for (const [i, [path, value]] of samples.entries()) {
      const file = join(dir, `fuzz-${i}.json`);
      writeFileSync(file, JSON.stringify(withValue(path, value)));
      const out = join(dir, `out-${i}`);
      const r = await runCli(['audit', '--input', file, '--out', out, '--fail-on', 'none']);
      expect([0, 2, 3]).toContain(r.code);
      expectNoStack(r.stderr);
      expect(existsSync(out)).toBe(r.code !== 2);
    }
  }, 60_000);
});
