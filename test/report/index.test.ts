import { describe, expect, test } from '@jest/globals';
import { formatReport, isReportFormat, REPORT_FORMATS, reportFileName, reportFiles, reportText } from '../../src/report/index.js';
import { formatJson } from '../../src/report/json.js';
import { formatMarkdown } from '../../src/report/markdown.js';
import { formatSarif } from '../../src/report/sarif.js';
import { formatText } from '../../src/report/text.js';
import { META, richResult } from './fixtures.js';

describe('report index', () => {
  test.each([
    ['json', 'portolan.json'],
    ['sarif', 'portolan.sarif'],
    ['markdown', 'portolan.md'],
    ['text', 'portolan.txt'],
  ] as const)('%s is written to %s', (format, file) => {
    expect(reportFileName(format)).toBe(file);
  });

  test('formats are listed once each, and only they are accepted', () => {
    expect(REPORT_FORMATS).toEqual(['json', 'sarif', 'markdown', 'text']);
    expect(isReportFormat('sarif')).toBe(true);
    expect(isReportFormat('html')).toBe(false);
  });

  test('each format dispatches to its formatter with its defaults (text without colour)', () => {
    const r = richResult();
    expect(reportText('json', r, META)).toBe(formatJson(r, META));
    expect(reportText('sarif', r, META)).toBe(formatSarif(r, META));
    expect(reportText('markdown', r, META)).toBe(formatMarkdown(r, META));
    expect(reportText('text', r, META)).toBe(formatText(r, META));
  });

  test('the JSON report comes in pieces that join to the same text JSON.parse reads', () => {
    const r = richResult();
    const pieces = [...(formatReport('json', r, META) as Iterable<string>)];
    expect(pieces.length).toBeGreaterThan(r.findings.length);
    expect(JSON.parse(pieces.join(''))).toEqual(JSON.parse(formatJson(r, META)));
  });

  test('SARIF for an organization is a file per audited account, named by its 12-digit id and nothing else', () => {
    const r = richResult();
    const accounts = [
      { id: '222222222222', status: 'ok' as const, instances: 0, scanned: 0, failed: 0, gone: 0 },
      { id: '333333333333', status: 'skipped' as const, instances: 0, scanned: 0, failed: 0, gone: 0 },
    ];
    expect(reportFiles('sarif', { ...r, coverage: { ...r.coverage, accounts } }, META).map((f) => f.name)).toEqual(['portolan-222222222222.sarif']);
    const escaping = [{ ...accounts[0]!, id: '../../escaped' }];
    // An account of which no region was read was not read: its run must not say complete (an upload would close its alerts).
    const regions = [{ name: 'us-east-1', status: 'ok' as const, accountId: '222222222222' }];
    const twoRead = [accounts[0]!, { ...accounts[0]!, id: '444444444444' }];
    const files = reportFiles('sarif', { ...r, coverage: { ...r.coverage, regions, accounts: twoRead } }, META);
    const successful = files.map((f) => {
      const log = JSON.parse(typeof f.content === 'string' ? f.content : [...f.content].join('')) as { runs: Array<{ invocations: Array<{ executionSuccessful: boolean }> }> };
      return [f.name, log.runs[0]!.invocations[0]!.executionSuccessful];
    });
    expect(successful).toEqual([
      ['portolan-222222222222.sarif', true],
      ['portolan-444444444444.sarif', false],
    ]);
    expect(() => reportFiles('sarif', { ...r, coverage: { ...r.coverage, accounts: escaping } }, META)).toThrow('account id "../../escaped" is not 12 digits: refusing it as a file name');
  });
});
