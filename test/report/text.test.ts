import { describe, expect, test } from '@jest/globals';
import { formatSummary, formatText } from '../../src/report/text.js';
import type { AuditResult } from '../../src/core/types.js';
import { cleanResult, manyFindings, META, richResult } from './fixtures.js';

const ESC = '\u001b';

describe('formatSummary (printed after an audit)', () => {
  test('header, counts, a line per rule, findings most severe first, coverage, exceptions, diagnostics', () => {
    const lines = formatSummary(richResult(), META, { color: false }).split('\n');
    expect(lines[0]).toBe('Portolan 0.1.0: policy policy.yaml, source test/fixtures/sample-inventory.json, 8 instances in 4 regions');
    expect(lines[1]).toBe('Findings: 2 critical, 2 high, 1 medium, 1 low, 1 info (2 suppressed)');
    expect(lines).toContain('  critical ssh-rdp-world: 2 findings on 2 instances');
    expect(lines).toContain('  high     all-traffic: 1 finding on 1 instance');
    expect(lines).toContain(
      'CRITICAL ssh-rdp-world web-1 (us-east-1): tcp 22 open to 0.0.0.0/0, the whole IPv4 internet, and ::/0, the whole IPv6 internet.',
    );
    expect(lines).toContain('HIGH all-traffic legacy (ap-south-1): all traffic open to 203.0.113.0/24.');
    expect(lines.some((l) => l.startsWith('LOW icmp-echo web-1 (us-east-1): icmp type 8'))).toBe(true);
    const severities = lines.filter((l) => /^(CRITICAL|HIGH|MEDIUM|LOW|INFO) /.test(l)).map((l) => l.split(' ')[0]);
    expect(severities).toEqual(['CRITICAL', 'CRITICAL', 'HIGH', 'HIGH', 'MEDIUM', 'LOW', 'INFO']);
    // Suppressed findings are counted, never listed as open.
    expect(lines.some((l) => l.includes('bastion-1'))).toBe(false);
    expect(lines).toContain('Coverage INCOMPLETE: 6 of 8 instances scanned; the audit is not a clean bill of health.');
    expect(lines).toContain('Region ca-central-1 not read (AccessDeniedException: not authorized to perform lightsail:GetInstances)');
    expect(lines).toContain('Instance api-3 (eu-west-1) not read (ThrottlingException: Rate exceeded)');
    expect(lines).toContain('Instance temp-9 (us-east-1) was deleted during the scan');
    expect(lines).toContain('Expired exception policy.yaml:56 (db-public) expired 2026-11-24: 1 finding counted again');
    expect(lines).toContain('Unused exception policy.yaml:61 (ssh-rdp-world, db-public): suppressed nothing');
    expect(lines).toContain('Diagnostics: 0 errors, 2 warnings, 1 info (details in the JSON report)');
  });

  test('no colour codes without color; severity colours with it', () => {
    expect(formatSummary(richResult(), META, { color: false })).not.toContain(ESC);
    const coloured = formatSummary(richResult(), META, { color: true });
    expect(coloured).toContain(`${ESC}[1;31mCRITICAL${ESC}[0m ssh-rdp-world`);
    expect(coloured).toContain(`${ESC}[33mMEDIUM${ESC}[0m`);
  });

  test('control and bidi characters from the inventory are shown as escapes, even with colour on', () => {
    const text = formatSummary(richResult(), META, { color: true });
    const hostile = text.split('\n').find((l) => l.includes('hostile|rule') && l.includes('MEDIUM'))!;
    expect(hostile).toContain('evil|<script>alert(1)</script>*_`[x](y)\\nnext (us-east-1)');
    expect(hostile).toContain('\\u001b[31mred\\u001b[0m');
    // The only escapes on that line are our own colour around the label.
    expect(hostile.split(ESC)).toHaveLength(3);
  });

  test('at most 20 findings, then "... and N more"; the per-rule lines count them all', () => {
    const lines = formatSummary(manyFindings(45), META, { color: false }).split('\n');
    expect(lines.filter((l) => / \(us-east-1\): tcp /.test(l))).toHaveLength(20);
    expect(lines).toContain('... and 25 more (every finding is in the reports)');
    const perRule = lines.map((l) => /: (\d+) findings? on /.exec(l)).filter((m) => m !== null).map((m) => Number(m[1]));
    expect(perRule.reduce((a, b) => a + b, 0)).toBe(45);
    const few = formatSummary(manyFindings(45), META, { color: false, maxFindings: 3 }).split('\n');
    expect(few).toContain('... and 42 more (every finding is in the reports)');
  });

  test('150,000 unread instances: a short summary, no stack overflow', () => {
    const result: AuditResult = cleanResult();
    result.coverage.complete = false;
    result.coverage.unread = Array.from({ length: 150_000 }, (_, i) => ({ name: `i-${i}`, region: 'us-east-1', status: 'error' as const, error: { code: 'E', message: 'm' } }));
    const lines = formatSummary(result, META, { color: false }).split('\n');
    expect(lines.length).toBeLessThan(40);
    expect(lines).toContain('... and 149980 more not read or deleted (every one is in the reports)');
  });

  test('a clean, complete run says so', () => {
    const text = formatSummary(cleanResult(), META, { color: false });
    expect(text).toBe(
      [
        'Portolan 0.1.0: policy policy.yaml, source test/fixtures/sample-inventory.json, 2 instances in 1 region',
        'Findings: 0 critical, 0 high, 0 medium, 0 low, 0 info (0 suppressed)',
        'Coverage complete: 2 of 2 instances scanned.',
        '',
      ].join('\n'),
    );
  });

  test('with a baseline: new open findings are marked and the diff is counted', () => {
    const result = richResult();
    for (const f of result.findings) f.baselineState = 'unchanged';
    result.findings[1]!.baselineState = 'new';
    result.fixed = [structuredClone(result.findings[0]!)];
    const lines = formatSummary(result, META, { color: false }).split('\n');
    expect(lines).toContain('Baseline: 1 new, 6 unchanged, 1 fixed');
    expect(lines.some((l) => l.startsWith('CRITICAL [new] ssh-rdp-world win-2 (eu-west-1)'))).toBe(true);
  });
});

describe('formatText (the text report file)', () => {
  test('lists every finding, suppressed ones with their reason, and every diagnostic message', () => {
    const many = manyFindings(45);
    const lines = formatText(many, META).split('\n');
    expect(lines.filter((l) => / \(us-east-1\): tcp /.test(l))).toHaveLength(45);
    const rich = formatText(richResult(), META);
    expect(rich).toContain('(suppressed: Bastion behind MFA, ticket SEC-123, until 2027-01-31)');
    for (const d of richResult().diagnostics) expect(rich).toContain(d.code);
    expect(rich).not.toContain(ESC);
  });

  test('every unread instance, however many', () => {
    const result: AuditResult = cleanResult();
    result.coverage.complete = false;
    result.coverage.unread = Array.from({ length: 150_000 }, (_, i) => ({ name: `i-${i}`, region: 'us-east-1', status: 'error' as const, error: { code: 'E', message: 'm' } }));
    const text = formatText(result, META);
    expect(text.split('\n').filter((l) => l.startsWith('Instance i-')).length).toBe(150_000);
  });
});
