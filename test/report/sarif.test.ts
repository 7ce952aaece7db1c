import { describe, expect, test } from '@jest/globals';
import { gzipSync } from 'node:zlib';
import type { Log, Result } from 'sarif';
import { artifactUri, formatSarif, ruleName, securitySeverity, sarifLevel } from '../../src/report/sarif.js';
import type { Severity } from '../../src/core/types.js';
import { cleanResult, manyFindings, META, richResult } from './fixtures.js';
import { allSarifErrors, githubSarifErrors, sarifSchemaErrors } from './sarif-validate.js';

function parse(text: string): Log {
  return JSON.parse(text) as Log;
}

function run(log: Log) {
  const r = log.runs[0];
  if (!r) throw new Error('no run');
  return r;
}

function resultFor(log: Log, ruleId: string, name: string, protocol?: string): Result {
  const found = run(log).results!.find(
    (r) => r.ruleId === ruleId && r.properties?.['instanceName'] === name && (!protocol || r.properties['protocol'] === protocol),
  );
  if (!found) throw new Error(`no result ${ruleId} ${name}`);
  return found;
}

describe('formatSarif', () => {
  test.each([
    ['rich result', () => richResult()],
    ['clean result', () => cleanResult()],
    ['no category', () => richResult()],
  ])('%s: valid against the SARIF 2.1.0 schema and GitHub requirements', (label, make) => {
    const meta = label === 'no category' ? { ...META, category: undefined } : META;
    const log = parse(formatSarif(make(), meta));
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(githubSarifErrors(log)).toEqual([]);
  });

  test('the validators catch what GitHub rejects (they can fail)', () => {
    const log = parse(formatSarif(richResult(), META));
    const broken = structuredClone(log);
    delete run(broken).results![0]!.locations;
    run(broken).tool.driver.rules![0]!.shortDescription = { text: '' };
    run(broken).results![1]!.properties!['region'] = '';
    const errors = githubSarifErrors(broken);
    expect(errors).toContain('$.runs[0].results[1].properties.region is an empty string');
    expect(errors.some((e) => e.includes('physicalLocation'))).toBe(true);
    expect(errors.some((e) => e.includes('shortDescription'))).toBe(true);
    const badSchema = structuredClone(log) as unknown as Record<string, unknown>;
    badSchema['version'] = '2.0.0';
    expect(sarifSchemaErrors(badSchema).length).toBeGreaterThan(0);
  });

  test('rules come from the policy, with level, security-severity, precision and help', () => {
    const log = parse(formatSarif(richResult(), META));
    const rules = run(log).tool.driver.rules!;
    expect(rules.map((r) => r.id)).toEqual(['ssh-rdp-world', 'db-public', 'all-traffic', 'icmp-echo', 'lightsail-connect', 'hostile|rule']);
    const ssh = rules[0]!;
    expect(ssh.name).toBe('SshRdpWorld');
    expect(ssh.shortDescription?.text).toBe('SSH or RDP open to the whole internet');
    expect(ssh.fullDescription?.text).toMatch(/^Remote administration ports/);
    expect(ssh.help?.text).toContain('Remediation: Close the port');
    expect(ssh.help?.markdown).toContain('**Remediation:**');
    expect(ssh.defaultConfiguration?.level).toBe('error');
    expect(ssh.properties?.['security-severity']).toBe('9.5');
    expect(ssh.properties?.['precision']).toBe('very-high');
    expect(ssh.properties?.tags).toEqual(expect.arrayContaining(['security', 'network', 'lightsail']));
    // A rule without description: fullDescription and help fall back to the title.
    expect(rules[2]!.fullDescription?.text).toBe('All traffic allowed');
    expect(rules[2]!.help?.text).toBe('All traffic allowed');
    // Info has no security-severity (a plain note, not a security alert).
    expect(rules[4]!.properties?.['security-severity']).toBeUndefined();
    expect(rules[4]!.defaultConfiguration?.level).toBe('note');
  });

  test.each<[Severity, string, string | undefined]>([
    ['critical', 'error', '9.5'],
    ['high', 'error', '8.0'],
    ['medium', 'warning', '5.5'],
    ['low', 'note', '2.0'],
    ['info', 'note', undefined],
  ])('%s maps to level %s and security-severity %s (mid-band)', (severity, level, sec) => {
    expect(sarifLevel(severity)).toBe(level);
    expect(securitySeverity(severity)).toBe(sec);
  });

  test.each([
    ['ssh-world', 'SshWorld'],
    ['db.public_v2', 'DbPublicV2'],
    ['---', 'Rule'],
  ])('rule name of %s is %s', (id, name) => {
    expect(ruleName(id)).toBe(name);
  });

  test('results: message, level, ruleIndex, stable pseudo-path location, ARN, fingerprint', () => {
    const log = parse(formatSarif(richResult(), META));
    const rules = run(log).tool.driver.rules!;
    const r = resultFor(log, 'ssh-rdp-world', 'web-1');
    expect(r.message.text).toBe(
      'web-1 (us-east-1): tcp 22 open to 0.0.0.0/0, the whole IPv4 internet, and ::/0, the whole IPv6 internet. ' +
        'Instance ARN: arn:aws:lightsail:us-east-1:111122223333:Instance/0e5c-web-1.',
    );
    expect(r.level).toBe('error');
    expect(rules[r.ruleIndex!]!.id).toBe('ssh-rdp-world');
    expect(r.locations![0]!.physicalLocation).toEqual({ artifactLocation: { uri: 'lightsail/us-east-1/web-1' }, region: { startLine: 1 } });
    expect(r.locations![0]!.logicalLocations![0]).toMatchObject({
      fullyQualifiedName: 'arn:aws:lightsail:us-east-1:111122223333:Instance/0e5c-web-1',
      kind: 'resource',
    });
    expect(r.properties?.['instanceArn']).toBe('arn:aws:lightsail:us-east-1:111122223333:Instance/0e5c-web-1');
    expect(r.partialFingerprints).toEqual({ primaryLocationLineHash: 'fp-ssh-rdp-world-us-east-1-web-1-tcp-22-22' });
    // Without an ARN the logical location falls back to region/name and the message has no ARN sentence.
    const legacy = resultFor(log, 'all-traffic', 'legacy');
    expect(legacy.message.text).toBe('legacy (ap-south-1): all traffic open to 203.0.113.0/24.');
    expect(legacy.locations![0]!.logicalLocations![0]!.fullyQualifiedName).toBe('ap-south-1/legacy');
  });

  test.each([
    ['web-1', 'us-east-1', 'lightsail/us-east-1/web-1'],
    ['my box', 'us-east-1', 'lightsail/us-east-1/my%20box'],
    ['a/b', 'eu-west-1', 'lightsail/eu-west-1/a%2Fb'],
    ['..', 'us-east-1', 'lightsail/us-east-1/%2E%2E'],
    ['', 'us-east-1', 'lightsail/us-east-1/_'],
    ['arn:aws:x', 'us-east-1', 'lightsail/us-east-1/arn%3Aaws%3Ax'],
  ])('pseudo-path of %j in %s is %s (no spaces, no scheme, no traversal)', (name, region, uri) => {
    expect(artifactUri({ instance: { name, region } })).toBe(uri);
  });

  test('suppressed findings carry an external suppression with reason and expiry', () => {
    const log = parse(formatSarif(richResult(), META));
    const bastion = resultFor(log, 'ssh-rdp-world', 'bastion-1');
    expect(bastion.suppressions).toEqual([
      {
        kind: 'external',
        status: 'accepted',
        justification: 'Bastion behind MFA, ticket SEC-123 (exception expires 2027-01-31)',
        properties: { expires: '2027-01-31' },
      },
    ]);
    const icmpv6 = resultFor(log, 'icmp-echo', 'web-1', 'icmpv6');
    expect(icmpv6.suppressions).toEqual([{ kind: 'external', status: 'accepted', justification: 'Path MTU discovery needs ICMPv6, ticket NET-4' }]);
    expect(resultFor(log, 'ssh-rdp-world', 'web-1').suppressions).toBeUndefined();
  });

  test('automationDetails.id is the category with a trailing slash', () => {
    expect(run(parse(formatSarif(richResult(), META))).automationDetails?.id).toBe('portolan/prod-account/');
    expect(run(parse(formatSarif(richResult(), { ...META, category: undefined }))).automationDetails?.id).toBe('portolan/');
    expect(run(parse(formatSarif(richResult(), { ...META, category: 'lightsail/' }))).automationDetails?.id).toBe('lightsail/');
  });

  test('incomplete coverage: executionSuccessful false and a notification per region/instance not read', () => {
    const log = parse(formatSarif(richResult(), META));
    const inv = run(log).invocations![0]!;
    expect(inv.executionSuccessful).toBe(false);
    const notes = inv.toolExecutionNotifications!;
    const region = notes.find((n) => n.descriptor?.id === 'region-not-read')!;
    expect(region.level).toBe('error');
    expect(region.message.text).toContain('ca-central-1');
    expect(region.message.text).toContain('AccessDeniedException');
    const instance = notes.find((n) => n.descriptor?.id === 'instance-not-read')!;
    expect(instance.level).toBe('error');
    expect(instance.message.text).toContain('api-3 (eu-west-1)');
    expect(instance.message.text).toContain('ThrottlingException');
    const gone = notes.find((n) => n.descriptor?.id === 'instance-gone')!;
    expect(gone.level).toBe('note');
    expect(gone.message.text).toContain('temp-9');
    // Expired and unused exceptions are configuration notifications.
    const config = inv.toolConfigurationNotifications!;
    expect(config.map((n) => n.descriptor?.id)).toEqual(['expired-exception', 'unused-exception']);
  });

  test('complete coverage: executionSuccessful true, results an empty array', () => {
    const log = parse(formatSarif(cleanResult(), META));
    expect(run(log).invocations![0]!.executionSuccessful).toBe(true);
    expect(run(log).results).toEqual([]);
  });

  test('baselineState is carried; fixed findings are not emitted as results', () => {
    const result = richResult();
    result.findings[0]!.baselineState = 'new';
    result.findings[1]!.baselineState = 'unchanged';
    result.fixed = [structuredClone(result.findings[3]!)];
    const log = parse(formatSarif(result, META));
    expect(resultFor(log, 'ssh-rdp-world', 'web-1').baselineState).toBe('new');
    expect(resultFor(log, 'ssh-rdp-world', 'win-2').baselineState).toBe('unchanged');
    expect(run(log).results!.length).toBe(result.findings.length);
    expect(run(log).properties?.['fixedSinceBaseline']).toBe(1);
    expect(allSarifErrors(log)).toEqual([]);
  });

  test('deterministic: same input, byte-identical output and fingerprints', () => {
    const a = formatSarif(richResult(), META);
    const b = formatSarif(richResult(), META);
    expect(a).toBe(b);
    // Findings in another order give the same results in the same order.
    const shuffled = richResult();
    shuffled.findings.reverse();
    expect(formatSarif(shuffled, META)).toBe(a);
  });

  test('long rule text is cut to 1024 characters without splitting a surrogate pair', () => {
    const result = richResult();
    result.policy.rules[0]!.title = `${'x'.repeat(1022)}😀😀`;
    result.policy.rules[0]!.description = '🔥'.repeat(2000);
    const log = parse(formatSarif(result, META));
    const rule = run(log).tool.driver.rules![0]!;
    expect(rule.shortDescription!.text.length).toBeLessThanOrEqual(1024);
    expect(rule.fullDescription!.text.length).toBeLessThanOrEqual(1024);
    expect(rule.shortDescription!.text).not.toMatch(/[\ud800-\udbff]…$/);
    expect(allSarifErrors(log)).toEqual([]);
  });

  test('a finding of a rule missing from the summary still gets a valid rule', () => {
    const result = richResult();
    result.policy.rules = result.policy.rules.filter((r) => r.id !== 'db-public');
    const log = parse(formatSarif(result, META));
    const r = resultFor(log, 'db-public', 'orders-db');
    expect(run(log).tool.driver.rules![r.ruleIndex!]!.id).toBe('db-public');
    expect(allSarifErrors(log)).toEqual([]);
  });

  test('over maxResults: the most severe unsuppressed are kept and the cut is announced', () => {
    const result = richResult();
    const log = parse(formatSarif(result, META, { maxResults: 3 }));
    const results = run(log).results!;
    expect(results).toHaveLength(3);
    expect(results.map((r) => r.level)).toEqual(['error', 'error', 'error']);
    expect(results.every((r) => !r.suppressions)).toBe(true);
    expect(results.map((r) => r.properties?.['severity'] as unknown)).toEqual(['critical', 'critical', 'high']);
    const cut = run(log).invocations![0]!.toolExecutionNotifications!.find((n) => n.descriptor?.id === 'results-cut')!;
    expect(cut.message.text).toContain(`${result.findings.length - 3} of ${result.findings.length} results were left out`);
    expect(allSarifErrors(log)).toEqual([]);
  });

  test('25,000 is the default cap; the file stays under 10 MB gzipped', () => {
    const result = manyFindings(25_010);
    const text = formatSarif(result, META);
    const log = parse(text);
    expect(run(log).results).toHaveLength(25_000);
    expect(gzipSync(text).length).toBeLessThan(10 * 1000 * 1000);
    // The 10 dropped are the least severe (info).
    const kept = new Set(run(log).results!.map((r) => r.partialFingerprints!['primaryLocationLineHash']));
    const dropped = result.findings.filter((f) => !kept.has(f.fingerprint));
    expect(dropped.map((f) => f.severity)).toEqual(Array(10).fill('info'));
    expect(githubSarifErrors(log)).toEqual([]);
  });

  test('over the gzip limit: more results are cut and the notification says why', () => {
    const result = manyFindings(400);
    const full = formatSarif(result, META);
    const limit = Math.floor(gzipSync(full).length / 2);
    const text = formatSarif(result, META, { maxGzipBytes: limit });
    expect(gzipSync(text).length).toBeLessThanOrEqual(limit);
    const log = parse(text);
    expect(run(log).results!.length).toBeLessThan(400);
    expect(run(log).results!.length).toBeGreaterThan(0);
    const cut = run(log).invocations![0]!.toolExecutionNotifications!.find((n) => n.descriptor?.id === 'results-cut')!;
    expect(cut.message.text).toContain("GitHub's size limit");
    expect(allSarifErrors(log)).toEqual([]);
  });
});
