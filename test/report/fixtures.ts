// Hand-built audit results for the formatter tests: every case a report has to
// word correctly, without depending on the evaluator.

import type { AuditResult, Finding, ReportMeta, RuleSummary, Severity } from '../../src/core/types.js';

export const META: ReportMeta = {
  generatedAt: '2026-11-25T12:00:00.000Z',
  toolName: 'portolan',
  toolVersion: '0.1.0',
  informationUri: 'https://github.com/portolan/portolan',
  source: 'test/fixtures/sample-inventory.json',
  category: 'portolan/prod-account',
};

const POLICY = 'policy.yaml';

export const RULES: RuleSummary[] = [
  {
    id: 'ssh-rdp-world',
    title: 'SSH or RDP open to the whole internet',
    severity: 'critical',
    description: 'Remote administration ports reachable from 0.0.0.0/0 or ::/0 are brute-forced within minutes.',
    remediation: 'Close the port with `aws lightsail close-instance-public-ports`, or restrict it to your office range.',
    position: { file: POLICY, line: 4, col: 9 },
  },
  {
    id: 'db-public',
    title: 'Database port reachable from public addresses',
    severity: 'high',
    remediation: 'Allow only the application servers.',
    position: { file: POLICY, line: 12, col: 9 },
  },
  {
    id: 'all-traffic',
    title: 'All traffic allowed',
    severity: 'high',
    position: { file: POLICY, line: 20, col: 9 },
  },
  {
    id: 'icmp-echo',
    title: 'Ping answered from the internet',
    severity: 'low',
    description: 'Echo requests reveal the host.',
    position: { file: POLICY, line: 28, col: 9 },
  },
  {
    id: 'lightsail-connect',
    title: 'Browser SSH (Lightsail connect) allowed',
    severity: 'info',
    position: { file: POLICY, line: 34, col: 9 },
  },
  {
    id: 'hostile|rule',
    title: 'Title with <b>html</b> | pipes and `code` *stars* _under_ [link](x)',
    severity: 'medium',
    description: 'Line one\nline two',
    position: { file: POLICY, line: 40, col: 9 },
  },
];

function arn(region: string, id: string): string {
  return `arn:aws:lightsail:${region}:111122223333:Instance/${id}`;
}

interface FindingInput {
  ruleId: string;
  severity: Severity;
  name: string;
  region: string;
  arnId?: string;
  protocol: string;
  fromPort: number | null;
  toPort: number | null;
  cidrs?: string[];
  ipv6Cidrs?: string[];
  aliases?: string[];
  message: string;
  suppression?: { reason: string; expires?: string };
}

export function finding(i: FindingInput): Finding {
  const facts = {
    ruleId: i.ruleId,
    severity: i.severity,
    instance: { name: i.name, region: i.region } as Finding['instance'],
    portState: {
      protocol: i.protocol,
      fromPort: i.fromPort,
      toPort: i.toPort,
      cidrs: i.cidrs ?? [],
      ipv6Cidrs: i.ipv6Cidrs ?? [],
      cidrListAliases: i.aliases ?? [],
    },
    message: i.message,
    fingerprint: `fp-${i.ruleId}-${i.region}-${i.name}-${i.protocol}-${i.fromPort}-${i.toPort}`,
  };
  if (i.arnId) facts.instance.arn = arn(i.region, i.arnId);
  return i.suppression ? { ...facts, suppressed: true, suppression: i.suppression } : { ...facts, suppressed: false };
}

export const FINDINGS: Finding[] = [
  finding({
    ruleId: 'ssh-rdp-world',
    severity: 'critical',
    name: 'web-1',
    region: 'us-east-1',
    arnId: '0e5c-web-1',
    protocol: 'tcp',
    fromPort: 22,
    toPort: 22,
    cidrs: ['0.0.0.0/0'],
    ipv6Cidrs: ['::/0'],
    message: 'web-1 (us-east-1): tcp 22 open to 0.0.0.0/0, the whole IPv4 internet, and ::/0, the whole IPv6 internet.',
  }),
  finding({
    ruleId: 'ssh-rdp-world',
    severity: 'critical',
    name: 'win-2',
    region: 'eu-west-1',
    arnId: '77aa-win-2',
    protocol: 'tcp',
    fromPort: 3380,
    toPort: 3390,
    cidrs: ['0.0.0.0/1', '128.0.0.0/1'],
    message: 'win-2 (eu-west-1): tcp 3380-3390 (includes 3389) open to 0.0.0.0/1 + 128.0.0.0/1, together the whole IPv4 internet.',
  }),
  finding({
    ruleId: 'ssh-rdp-world',
    severity: 'critical',
    name: 'bastion-1',
    region: 'us-east-1',
    arnId: 'b1',
    protocol: 'tcp',
    fromPort: 22,
    toPort: 22,
    cidrs: ['0.0.0.0/0'],
    message: 'bastion-1 (us-east-1): tcp 22 open to 0.0.0.0/0, the whole IPv4 internet.',
    suppression: { reason: 'Bastion behind MFA, ticket SEC-123', expires: '2027-01-31' },
  }),
  finding({
    ruleId: 'db-public',
    severity: 'high',
    name: 'orders-db',
    region: 'us-east-1',
    arnId: 'db-77',
    protocol: 'tcp',
    fromPort: 5432,
    toPort: 5432,
    ipv6Cidrs: ['2600:1f18::/32'],
    message: 'orders-db (us-east-1): tcp 5432 open to 2600:1f18::/32, public IPv6 addresses.',
  }),
  finding({
    ruleId: 'all-traffic',
    severity: 'high',
    name: 'legacy',
    region: 'ap-south-1',
    protocol: 'all',
    fromPort: 0,
    toPort: 65535,
    cidrs: ['203.0.113.0/24'],
    message: 'legacy (ap-south-1): all traffic open to 203.0.113.0/24.',
  }),
  finding({
    ruleId: 'icmp-echo',
    severity: 'low',
    name: 'web-1',
    region: 'us-east-1',
    arnId: '0e5c-web-1',
    protocol: 'icmp',
    fromPort: 8,
    toPort: -1,
    cidrs: ['0.0.0.0/0'],
    message: 'web-1 (us-east-1): icmp type 8 (echo request), any code, open to 0.0.0.0/0, the whole IPv4 internet.',
  }),
  finding({
    ruleId: 'icmp-echo',
    severity: 'low',
    name: 'web-1',
    region: 'us-east-1',
    arnId: '0e5c-web-1',
    protocol: 'icmpv6',
    fromPort: -1,
    toPort: -1,
    ipv6Cidrs: ['::/0'],
    message: 'web-1 (us-east-1): icmpv6 every type open to ::/0, the whole IPv6 internet.',
    suppression: { reason: 'Path MTU discovery needs ICMPv6, ticket NET-4' },
  }),
  finding({
    ruleId: 'lightsail-connect',
    severity: 'info',
    name: 'web-1',
    region: 'us-east-1',
    arnId: '0e5c-web-1',
    protocol: 'tcp',
    fromPort: 22,
    toPort: 22,
    aliases: ['lightsail-connect'],
    message: 'web-1 (us-east-1): tcp 22 open to the lightsail-connect alias (browser SSH).',
  }),
  finding({
    ruleId: 'hostile|rule',
    severity: 'medium',
    name: 'evil|<script>alert(1)</script>*_`[x](y)\nnext',
    region: 'us-east-1',
    protocol: 'tcp',
    fromPort: 8080,
    toPort: 8080,
    cidrs: ['198.51.100.7/32'],
    message: 'evil|<script>alert(1)</script>*_`[x](y)\nnext (us-east-1): tcp 8080 open to 198.51.100.7/32 \u001b[31mred\u001b[0m.',
    suppression: undefined,
  }),
];

/** A result with every case the reports must handle. */
export function richResult(): AuditResult {
  const findings = FINDINGS.map((f) => structuredClone(f));
  const bySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  let suppressed = 0;
  for (const f of findings) {
    if (f.suppressed) suppressed += 1;
    else bySeverity[f.severity] += 1;
  }
  return {
    policy: { path: POLICY, rules: structuredClone(RULES) },
    coverage: {
      regions: [
        { name: 'us-east-1', status: 'ok' },
        { name: 'eu-west-1', status: 'ok' },
        { name: 'ap-south-1', status: 'ok' },
        { name: 'ca-central-1', status: 'error', error: { code: 'AccessDeniedException', message: 'not authorized to perform lightsail:GetInstances' } },
      ],
      instances: 8,
      scanned: 6,
      failed: 1,
      gone: 1,
      complete: false,
      unread: [
        { name: 'api-3', region: 'eu-west-1', arn: arn('eu-west-1', 'api-3'), status: 'error', error: { code: 'ThrottlingException', message: 'Rate exceeded' } },
        { name: 'temp-9', region: 'us-east-1', status: 'gone' },
      ],
    },
    summary: { bySeverity, suppressed },
    findings,
    exceptions: [
      {
        rules: ['*'],
        reason: 'Bastion behind MFA, ticket SEC-123',
        expires: '2027-01-31',
        position: { file: POLICY, line: 50, col: 5 },
        status: 'active',
        suppressed: 1,
        matchedAfterExpiry: 0,
      },
      {
        rules: ['db-public'],
        reason: 'Migration window, ticket DB-77',
        expires: '2026-11-24',
        position: { file: POLICY, line: 56, col: 5 },
        status: 'expired',
        suppressed: 0,
        matchedAfterExpiry: 1,
      },
      {
        rules: ['ssh-rdp-world', 'db-public'],
        reason: 'Old fleet kept for reference, ticket OPS-9',
        position: { file: POLICY, line: 61, col: 5 },
        status: 'unused',
        suppressed: 0,
        matchedAfterExpiry: 0,
      },
      {
        rules: ['icmp-echo'],
        reason: 'Path MTU discovery needs ICMPv6, ticket NET-4',
        position: { file: POLICY, line: 66, col: 5 },
        status: 'active',
        suppressed: 1,
        matchedAfterExpiry: 0,
      },
    ],
    diagnostics: [
      {
        level: 'warning',
        code: 'expired-exception',
        message: 'policy.yaml:56:5: the exception for db-public expired on 2026-11-24; its finding counts again.',
      },
      {
        level: 'info',
        code: 'host-bits-set',
        message: '10.0.0.5/8 has host bits set; read as 10.0.0.0/8.',
        instance: { name: 'web-1', region: 'us-east-1', arn: arn('us-east-1', '0e5c-web-1') },
      },
      {
        level: 'warning',
        code: 'unknown-protocol',
        message: 'protocol "gre" is not known; only rules without protocol, ports or icmp look at it.',
        instance: { name: 'legacy', region: 'ap-south-1' },
      },
    ],
  };
}

/** A clean result: complete coverage, no findings. */
export function cleanResult(): AuditResult {
  return {
    policy: { path: POLICY, rules: structuredClone(RULES).slice(0, 2) },
    coverage: {
      regions: [{ name: 'us-east-1', status: 'ok' }],
      instances: 2,
      scanned: 2,
      failed: 0,
      gone: 0,
      complete: true,
      unread: [],
    },
    summary: { bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 }, suppressed: 0 },
    findings: [],
    exceptions: [],
    diagnostics: [],
  };
}

/** `n` distinct findings spread over the severities, for the size limits. */
export function manyFindings(n: number): AuditResult {
  const result = cleanResult();
  result.policy.rules = structuredClone(RULES);
  const severities: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
  const ids = ['ssh-rdp-world', 'db-public', 'hostile|rule', 'icmp-echo', 'lightsail-connect'];
  for (let i = 0; i < n; i += 1) {
    const k = i % 5;
    const name = `host-${String(i).padStart(6, '0')}`;
    const f = finding({
      ruleId: ids[k]!,
      severity: severities[k]!,
      name,
      region: 'us-east-1',
      arnId: `id-${i}`,
      protocol: 'tcp',
      fromPort: 1000 + (i % 1000),
      toPort: 1000 + (i % 1000),
      cidrs: ['0.0.0.0/0'],
      message: `${name} (us-east-1): tcp ${1000 + (i % 1000)} open to 0.0.0.0/0, the whole IPv4 internet.`,
    });
    // Fingerprints that do not compress to nothing, like real hashes.
    f.fingerprint = `${(i * 2654435761) % 4294967296}`.padStart(10, '0') + `:${i.toString(36)}`;
    result.findings.push(f);
    result.summary.bySeverity[f.severity] += 1;
  }
  result.coverage.instances = n;
  result.coverage.scanned = n;
  return result;
}
