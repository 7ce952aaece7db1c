import { describe, expect, test } from '@jest/globals';
import { formatReport, isReportFormat, REPORT_FORMATS, reportFileName, reportText } from '../../src/report/index.js';
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
});
