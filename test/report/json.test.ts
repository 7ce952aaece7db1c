import { describe, expect, test } from '@jest/globals';
import { COMPACT_LIST_THRESHOLD, CompactFindingWriter, findingJson, formatJson } from '../../src/report/json.js';
import { cleanResult, manyFindings, META, richResult } from './fixtures.js';

describe('formatJson', () => {
  test('top-level keys in the contract order, version 1, meta fields', () => {
    const text = formatJson(richResult(), META);
    const report = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual([
      'version',
      'generatedAt',
      'tool',
      'source',
      'policy',
      'coverage',
      'summary',
      'findings',
      'exceptions',
      'diagnostics',
    ]);
    expect(report['version']).toBe(1);
    expect(report['generatedAt']).toBe('2026-11-25T12:00:00.000Z');
    expect(report['tool']).toEqual({ name: 'portolan', version: '0.1.0' });
    expect(report['source']).toBe('test/fixtures/sample-inventory.json');
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.split('\n')[1]).toBe('  "version": 1,');
  });

  test('finding fields: the spec names in a fixed order, suppression only when suppressed', () => {
    const report = JSON.parse(formatJson(richResult(), META)) as { findings: Record<string, unknown>[] };
    const open = report.findings[0]!;
    expect(Object.keys(open)).toEqual(['ruleId', 'severity', 'suppressed', 'instance', 'portState', 'message', 'fingerprint', 'remediation']);
    expect(open['remediation']).toEqual({ command: expect.stringMatching(/^aws lightsail close-instance-public-ports --region /) as unknown });
    expect(open['instance']).toEqual({
      name: 'web-1',
      region: 'us-east-1',
      arn: 'arn:aws:lightsail:us-east-1:111122223333:Instance/0e5c-web-1',
    });
    expect(Object.keys(open['portState'] as object)).toEqual(['protocol', 'fromPort', 'toPort', 'cidrs', 'ipv6Cidrs', 'cidrListAliases']);
    const suppressed = report.findings.find((f) => f['suppressed'] === true)!;
    expect(Object.keys(suppressed)).toEqual(['ruleId', 'severity', 'suppressed', 'suppression', 'instance', 'portState', 'message', 'fingerprint', 'remediation']);
    expect(suppressed['suppression']).toEqual({ reason: 'Bastion behind MFA, ticket SEC-123', expires: '2027-01-31' });
  });

  test('coverage, summary, exceptions and diagnostics carry every field', () => {
    const report = JSON.parse(formatJson(richResult(), META)) as Record<string, Record<string, unknown>>;
    expect(report['coverage']).toMatchObject({ instances: 8, scanned: 6, failed: 1, gone: 1, complete: false });
    expect(Object.keys(report['coverage']!)).toEqual(['regions', 'instances', 'scanned', 'failed', 'gone', 'complete', 'unread']);
    expect((report['coverage']!['regions'] as unknown[])[3]).toEqual({
      name: 'ca-central-1',
      status: 'error',
      error: { code: 'AccessDeniedException', message: 'not authorized to perform lightsail:GetInstances' },
    });
    expect(report['summary']).toEqual({ bySeverity: { critical: 2, high: 2, medium: 1, low: 1, info: 1 }, suppressed: 2 });
    const exceptions = report['exceptions'] as unknown as Record<string, unknown>[];
    expect(exceptions.map((e) => e['status'])).toEqual(['active', 'expired', 'unused', 'active']);
    expect(Object.keys(exceptions[2]!)).toEqual(['rules', 'reason', 'position', 'status', 'suppressed', 'matchedAfterExpiry']);
    const diagnostics = report['diagnostics'] as unknown as Record<string, unknown>[];
    expect(Object.keys(diagnostics[0]!)).toEqual(['level', 'code', 'message']);
    expect(diagnostics[1]!['instance']).toMatchObject({ name: 'web-1', region: 'us-east-1' });
  });

  test('key order does not depend on how the result objects were built', () => {
    const result = richResult();
    const scrambled = richResult();
    scrambled.findings = scrambled.findings.map((f) => {
      const { fingerprint, message, portState, instance, ...rest } = f;
      return { fingerprint, message, portState: { ...portState }, instance: { ...instance }, ...rest };
    });
    expect(formatJson(scrambled, META)).toBe(formatJson(result, META));
  });

  test('fixed is present only with a baseline, baselineState only when set', () => {
    expect(JSON.parse(formatJson(cleanResult(), META))).not.toHaveProperty('fixed');
    const result = richResult();
    result.findings[0]!.baselineState = 'new';
    result.fixed = [structuredClone(result.findings[3]!)];
    const report = JSON.parse(formatJson(result, META)) as { findings: Record<string, unknown>[]; fixed: unknown[] };
    expect(Object.keys(report).at(-1)).toBe('fixed');
    expect(report.findings[0]!['baselineState']).toBe('new');
    expect(report.findings[1]).not.toHaveProperty('baselineState');
    expect(report.fixed).toHaveLength(1);
  });

  test('a clean run is still a full report', () => {
    const report = JSON.parse(formatJson(cleanResult(), META)) as Record<string, unknown>;
    expect(report['findings']).toEqual([]);
    expect((report['coverage'] as Record<string, unknown>)['complete']).toBe(true);
    expect((report['coverage'] as Record<string, unknown>)['unread']).toEqual([]);
  });
});

describe('large reports', () => {
  test('the compact writer writes exactly what JSON.stringify writes of each finding', () => {
    const writer = new CompactFindingWriter();
    for (const f of [...richResult().findings, ...manyFindings(30).findings]) expect(writer.text(f)).toBe(JSON.stringify(findingJson(f)));
    const odd = { ...richResult().findings[0]!, baselineState: 'new' as const, portState: { ...richResult().findings[0]!.portState, fromPort: null, toPort: Number.NaN } };
    expect(writer.text(odd)).toBe(JSON.stringify(findingJson(odd)));
  });

  test(`past ${COMPACT_LIST_THRESHOLD} findings, one compact finding per line; the same data`, () => {
    const result = manyFindings(COMPACT_LIST_THRESHOLD + 5);
    const text = formatJson(result, META);
    const lines = text.split('\n');
    expect(lines.filter((l) => l.startsWith('    {"ruleId":'))).toHaveLength(result.findings.length);
    const parsed = JSON.parse(text) as { findings: unknown[] };
    expect(parsed.findings).toEqual(result.findings.map((f) => JSON.parse(JSON.stringify(findingJson(f))) as unknown));
  });
});
