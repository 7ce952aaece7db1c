// Golden reports for the sample fleet: the sample policy over the sample
// inventory at a fixed time, in every format. A change in wording, order or
// fields shows up as a diff here. Regenerate after an intended change with
//   UPDATE_GOLDEN=1 npm test -- test/report/golden.test.ts
// and review the diff of test/report/golden/ before committing.

import { describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluate } from '../../src/core/evaluate.js';
import type { Inventory, ReportMeta } from '../../src/core/types.js';
import { loadPolicy } from '../../src/policy/load.js';
import { REPORT_FORMATS, reportFileName, reportText } from '../../src/report/index.js';
import { formatSummary } from '../../src/report/text.js';
import { allSarifErrors } from './sarif-validate.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const goldenDir = join(here, 'golden');
const update = process.env['UPDATE_GOLDEN'] === '1';

const META: ReportMeta = {
  generatedAt: '2026-11-25T12:00:00.000Z',
  toolName: 'portolan',
  toolVersion: '0.1.0',
  informationUri: 'https://github.com/portolan/portolan',
  source: 'test/fixtures/sample-inventory.json',
  category: 'portolan/sample',
};

function sampleResult() {
  // Paths as a user in the repository root would type them, so the golden files hold no machine paths.
  const policyPath = relative(process.cwd(), join(root, 'test/fixtures/sample-policy.yaml'));
  const policy = loadPolicy(policyPath);
  const inventory = JSON.parse(readFileSync(join(root, 'test/fixtures/sample-inventory.json'), 'utf8')) as Inventory;
  return evaluate(policy, inventory, { now: new Date('2026-11-25T12:00:00Z') });
}

function checkGolden(name: string, actual: string): void {
  const file = join(goldenDir, name);
  if (update || !existsSync(file)) {
    writeFileSync(file, actual);
    if (!update) throw new Error(`${name}: golden file was missing and has been written; review it and run again`);
    return;
  }
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

describe('golden reports of the sample fleet', () => {
  const result = sampleResult();

  test.each(REPORT_FORMATS.map((f) => [f]))('%s', (format) => {
    checkGolden(`sample.${reportFileName(format).split('.').pop()}`, reportText(format, result, META));
  });

  test('the summary printed after an audit, with colour', () => {
    checkGolden('sample.color.txt', formatSummary(result, META, { color: true }));
  });

  test('the sample SARIF is one GitHub accepts, and a second run gives the same fingerprints', () => {
    const first = JSON.parse(reportText('sarif', result, META)) as { runs: Array<{ results: Array<{ partialFingerprints: object }> }> };
    expect(allSarifErrors(first)).toEqual([]);
    const second = JSON.parse(reportText('sarif', sampleResult(), META)) as typeof first;
    expect(second.runs[0]!.results.map((r) => r.partialFingerprints)).toEqual(first.runs[0]!.results.map((r) => r.partialFingerprints));
    expect(first.runs[0]!.results.length).toBe(result.findings.length);
  });

  test('the sample covers what the reports must show', () => {
    expect(result.coverage.complete).toBe(false);
    expect(result.findings.some((f) => f.suppressed)).toBe(true);
    expect(result.exceptions.map((e) => e.status)).toEqual(expect.arrayContaining(['active', 'expired', 'unused']));
  });
});
