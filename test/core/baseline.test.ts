import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { applyBaseline, readBaselineReport } from '../../src/core/baseline.js';
import { UserInputError } from '../../src/core/errors.js';
import { formatJson } from '../../src/report/json.js';
import { finding, META, richResult } from '../report/fixtures.js';

/** A previous report as the CLI would read it: the JSON formatter's output, parsed. */
function previousReport(result = richResult()): unknown {
  return JSON.parse(formatJson(result, META));
}

function errorLines(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserInputError) return e.lines;
    throw e;
  }
  throw new Error('expected a UserInputError');
}

describe('readBaselineReport', () => {
  test('reads every finding of a JSON report by fingerprint, round-tripping its fields', () => {
    const result = richResult();
    const baseline = readBaselineReport(previousReport(result));
    expect(baseline.fingerprints.size).toBe(result.findings.length);
    for (const f of result.findings) expect(baseline.fingerprints.get(f.fingerprint)).toEqual(f);
  });

  test("drops the previous report's own baselineState", () => {
    const result = richResult();
    result.findings[0]!.baselineState = 'new';
    const baseline = readBaselineReport(previousReport(result));
    expect(baseline.fingerprints.get(result.findings[0]!.fingerprint)).not.toHaveProperty('baselineState');
  });

  test.each<[string, unknown, string]>([
    ['an array', [], 'baseline: not a Portolan JSON report (expected a JSON object)'],
    ['null', null, 'baseline: not a Portolan JSON report (expected a JSON object)'],
    ['an inventory', { version: 1, regions: [], instances: [] }, 'baseline: not a Portolan JSON report ("findings" must be an array)'],
    ['version 2', { version: 2, findings: [] }, 'baseline: not a Portolan JSON report of version 1 (found version 2)'],
    ['no version', { findings: [] }, 'baseline: not a Portolan JSON report of version 1 (found version none)'],
  ])('rejects %s with one line', (_label, json, line) => {
    expect(errorLines(() => readBaselineReport(json))).toEqual([line]);
  });

  test('names every broken finding and field, one line each', () => {
    const report = previousReport() as { findings: Record<string, unknown>[] };
    delete report.findings[0]!['fingerprint'];
    report.findings[2]!['severity'] = 'urgent';
    (report.findings[3]!['portState'] as Record<string, unknown>)['fromPort'] = '22';
    report.findings[4] = 'x' as unknown as Record<string, unknown>;
    expect(errorLines(() => readBaselineReport(report))).toEqual([
      'baseline: findings[0]: "fingerprint" must be a non-empty string',
      'baseline: findings[2]: "severity" must be one of critical, high, medium, low, info',
      'baseline: findings[3]: "portState" must have a string "protocol" and numeric (or null) "fromPort"/"toPort"',
      'baseline: findings[4]: is not an object',
    ]);
  });

  test('caps the list of problems', () => {
    const lines = errorLines(() => readBaselineReport({ version: 1, findings: Array(50).fill(1) }));
    expect(lines).toHaveLength(21);
    expect(lines.at(-1)).toBe('baseline: ... and 30 more problems');
  });
});

describe('applyBaseline', () => {
  test('marks new and unchanged by fingerprint, suppressed findings too, and lists fixed ones', () => {
    const before = richResult();
    const gone = before.findings.find((f) => f.ruleId === 'db-public')!;
    const after = richResult();
    after.findings = after.findings.filter((f) => f.ruleId !== 'db-public');
    const added = finding({
      ruleId: 'ssh-rdp-world',
      severity: 'critical',
      name: 'web-9',
      region: 'us-east-1',
      protocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      cidrs: ['0.0.0.0/0'],
      message: 'web-9 (us-east-1): tcp 22 open to 0.0.0.0/0.',
    });
    after.findings.push(added);

    const diffed = applyBaseline(after, readBaselineReport(previousReport(before)));
    const state = new Map(diffed.findings.map((f) => [f.fingerprint, f.baselineState]));
    expect(state.get(added.fingerprint)).toBe('new');
    for (const f of after.findings) if (f !== added) expect(state.get(f.fingerprint)).toBe('unchanged');
    const suppressed = diffed.findings.filter((f) => f.suppressed);
    expect(suppressed.length).toBeGreaterThan(0);
    expect(suppressed.every((f) => f.baselineState === 'unchanged')).toBe(true);
    expect(diffed.fixed).toEqual([gone]);
    // Pure: the input result is untouched.
    expect(after.findings.every((f) => f.baselineState === undefined)).toBe(true);
    expect(after.fixed).toBeUndefined();
  });

  test('same report as its own baseline: everything unchanged, nothing fixed', () => {
    const result = richResult();
    const diffed = applyBaseline(result, readBaselineReport(previousReport(result)));
    expect(diffed.findings.every((f) => f.baselineState === 'unchanged')).toBe(true);
    expect(diffed.fixed).toEqual([]);
  });

  test('property: new + unchanged = current, unchanged + fixed = baseline, fixed sorted deterministically', () => {
    const all = richResult().findings;
    const subset = fc.subarray(all.map((_, i) => i));
    fc.assert(
      fc.property(subset, subset, (beforeIdx, afterIdx) => {
        const before = richResult();
        before.findings = beforeIdx.map((i) => all[i]!);
        const after = richResult();
        after.findings = afterIdx.map((i) => all[i]!);
        const diffed = applyBaseline(after, readBaselineReport(previousReport(before)));
        const beforeFp = new Set(before.findings.map((f) => f.fingerprint));
        const afterFp = new Set(after.findings.map((f) => f.fingerprint));
        for (const f of diffed.findings) expect(f.baselineState).toBe(beforeFp.has(f.fingerprint) ? 'unchanged' : 'new');
        const fixedFp = diffed.fixed!.map((f) => f.fingerprint);
        expect(new Set(fixedFp)).toEqual(new Set([...beforeFp].filter((fp) => !afterFp.has(fp))));
        // Order does not depend on the order of the baseline report.
        const reversed = richResult();
        reversed.findings = [...before.findings].reverse();
        expect(applyBaseline(after, readBaselineReport(previousReport(reversed))).fixed!.map((f) => f.fingerprint)).toEqual(fixedFp);
      }),
      { numRuns: 60 },
    );
  });
});
