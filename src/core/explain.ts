// A rule in plain words, for `portolan explain`: what it looks at, what it
// flags, what its allow-list lets through, and which exceptions apply to it.
// Pure: the CLI prints the lines.

import { allowListText, formatRange } from './describe.js';
import { isExpired } from './exceptions.js';
import type { IcmpMatch, Policy, PolicyException, Rule, Scope, SourceCondition, SourceKeyword } from './types.js';

function list(items: readonly string[], last = 'or'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${last} ${items[items.length - 1] ?? ''}`;
}

function scopeText(scope: Scope | undefined): string {
  if (!scope) return 'every instance in every region';
  const parts: string[] = [];
  if (scope.instances) parts.push(`named ${list(scope.instances)}`);
  if (scope.regions) parts.push(`in ${list(scope.regions)}`);
  if (scope.tags) parts.push(`tagged ${list(Object.entries(scope.tags).map(([k, v]) => (v === '*' ? `${k} (any value)` : `${k}=${v}`)), 'and')}`);
  return `instances ${parts.join(', ')}`;
}

function icmpText(icmp: IcmpMatch): string {
  const type = icmp.type === undefined || icmp.type === -1 ? 'any type' : `type ${icmp.type}`;
  const code = icmp.code === undefined || icmp.code === -1 ? '' : ` code ${icmp.code}`;
  return `${type}${code}`;
}

function trafficText(rule: Rule): string {
  const m = rule.match;
  const protocols = m.protocols ? list(m.protocols) : 'any protocol';
  const parts = [`${protocols} port states`];
  if (m.ports) parts.push(`whose port range includes ${list(m.ports.map(formatRange))}`);
  if (m.icmp) parts.push(`for ICMP ${icmpText(m.icmp)}`);
  if (m.protocols && !m.protocols.includes('all') && m.protocols.some((p) => p === 'tcp' || p === 'udp' || p === 'icmp' || p === 'icmpv6')) {
    parts.push('(a state of protocol "all" counts too)');
  }
  return parts.join(' ');
}

function conditionText(cond: SourceCondition): string {
  const parts: string[] = [];
  if (cond.covers) {
    const what = cond.covers === 'world-ipv4' ? 'all of 0.0.0.0/0' : cond.covers === 'world-ipv6' ? 'all of ::/0' : 'all of 0.0.0.0/0 or all of ::/0';
    parts.push(`whose sources together cover ${what}`);
  }
  if (cond.outside) parts.push(`admitting an address outside ${list(cond.outside.names, 'and')}`);
  if (cond.overlaps) parts.push(`admitting an address inside ${list(cond.overlaps.names)}`);
  if (cond.widerThan) {
    const w = cond.widerThan;
    const limits = [w.ipv4 !== undefined ? `an IPv4 source wider than /${w.ipv4}` : '', w.ipv6 !== undefined ? `an IPv6 source wider than /${w.ipv6}` : ''].filter(Boolean);
    parts.push(`with ${list(limits)}`);
  }
  if (cond.alias !== undefined) parts.push(`listing the alias ${cond.alias}`);
  return parts.length > 0 ? parts.join(', ') : 'open to any source';
}

function sourceText(source: SourceKeyword | SourceCondition): string {
  switch (source) {
    case 'world':
      return 'open to the whole IPv4 or the whole IPv6 internet (0.0.0.0/0 or ::/0, also when split into pieces such as 0.0.0.0/1 + 128.0.0.0/1)';
    case 'public':
      return 'open to at least one public address (one outside the private, loopback, link-local and documentation ranges)';
    case 'any':
      return 'open to any source (an address or an alias)';
    default:
      return conditionText(source);
  }
}

function exceptionText(ex: PolicyException, now: number): string {
  const where = `${ex.position.file}:${ex.position.line}`;
  const scope: string[] = [];
  if (ex.instances) scope.push(`instances ${list(ex.instances)}`);
  if (ex.regions) scope.push(`regions ${list(ex.regions)}`);
  if (ex.tags) scope.push(`tags ${list(Object.entries(ex.tags).map(([k, v]) => `${k}=${v}`), 'and')}`);
  if (ex.ports) scope.push(`ports ${ex.ports.map(formatRange).join(', ')}`);
  const state = ex.expires === undefined ? 'no expiry' : isExpired(ex, now) ? `EXPIRED at the end of ${ex.expires}, suppresses nothing` : `until the end of ${ex.expires} UTC`;
  const rules = ex.rules.includes('*') ? 'every rule' : 'this rule';
  return `${where}: ${rules}, ${scope.length > 0 ? scope.join(', ') : 'every instance'}; ${state}; "${ex.reason}"`;
}

/** The lines `portolan explain RULE` prints. */
export function explainRule(rule: Rule, policy: Policy, now: Date): string[] {
  const lines = [
    `${rule.id} (${rule.severity}): ${rule.title}`,
    `Defined in ${rule.position.file}:${rule.position.line}.`,
    '',
  ];
  if (rule.description !== undefined) lines.push(rule.description.trim(), '');
  lines.push(`Looks at: ${scopeText(rule.scope)}.`);
  lines.push(`Flags: open ${trafficText(rule)}, ${sourceText(rule.match.source)}.`);
  if (rule.allow) {
    lines.push(`Except: what the allow-list covers completely (${allowListText(rule.allow)}); anything else that matches is a finding.`);
  }
  lines.push('A closed port state never matches.');
  if (rule.remediation !== undefined) lines.push('', `Remediation: ${rule.remediation.trim()}`);
  const exceptions = policy.exceptions.filter((ex) => ex.rules.includes('*') || ex.rules.includes(rule.id));
  lines.push('', exceptions.length === 0 ? 'No exception applies to this rule.' : `Exceptions that apply (${exceptions.length}):`);
  for (const ex of exceptions) lines.push(`  ${exceptionText(ex, now.getTime())}`);
  return lines;
}
