import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { escapeMarkdown, escapeMarkdownKeepingCode, formatMarkdown } from '../../src/report/markdown.js';
import { cleanResult, manyFindings, META, richResult } from './fixtures.js';

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** Cells of a GFM table row, splitting only on unescaped pipes. */
function cells(line: string): string[] {
  return line
    .slice(2, -2)
    .split(/(?<!\\) \| /)
    .map((c) => c.trim());
}

describe('escapeMarkdown', () => {
  test.each([
    ['a|b', 'a\\|b'],
    ['<script>', '&lt;script&gt;'],
    ['a & b', 'a &amp; b'],
    ['`x` *y* _z_ ~w~', '\\`x\\` \\*y\\* \\_z\\_ \\~w\\~'],
    ['[link](http://x)', '\\[link\\](http:&#8203;//x)'],
    ['see www.example.com, mail a@b.c, ping @octocat, issue #12', 'see www&#8203;.example.com, mail a@&#8203;b.c, ping @&#8203;octocat, issue \\#&#8203;12'],
    ['right-to-left \u202eevil', 'right-to-left \\\\u202eevil'],
    ['C1 \u009b31m', 'C1 \\\\u009b31m'],
    ['one\ntwo\r\nthree', 'one two three'],
    ['back\\slash', 'back\\\\slash'],
    ['title #', 'title \\#'],
    ['\u001b[31mred', '\\\\u001b\\[31mred'],
    ['web-1 (us-east-1): 0.0.0.0/0', 'web-1 (us-east-1): 0.0.0.0/0'],
  ])('%j -> %j', (input, output) => {
    expect(escapeMarkdown(input)).toBe(output);
  });

  test('property: no raw pipe, angle bracket, newline or unescaped backtick survives', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const e = escapeMarkdown(s);
        expect(e).not.toMatch(/[<>\n\r]/);
        // Every | ` * _ [ ] is preceded by an odd run of backslashes.
        for (const m of e.matchAll(/(\\*)([|`*_[\]])/g)) expect(m[1]!.length % 2).toBe(1);
      }),
      { numRuns: 150 },
    );
  });
});

describe('escapeMarkdownKeepingCode', () => {
  test.each([
    ['Run `aws lightsail close-instance-public-ports --region <r>` now', 'Run `aws lightsail close-instance-public-ports --region <r>` now'],
    ['a <b> `x|y` *z*', 'a &lt;b&gt; `x|y` \\*z\\*'],
    ['unpaired ` backtick <i>', 'unpaired \\` backtick &lt;i&gt;'],
    ['`multi\nline`', '`multi line`'],
  ])('%j -> %j', (input, output) => {
    expect(escapeMarkdownKeepingCode(input)).toBe(output);
  });
});

describe('formatMarkdown', () => {
  test('summary table by severity with suppressed counts', () => {
    const md = formatMarkdown(richResult(), META);
    expect(md).toContain(
      ['| Severity | Open | Suppressed |', '| :-- | --: | --: |', '| Critical | 2 | 1 |', '| High | 2 | 0 |', '| Medium | 1 | 0 |', '| Low | 1 | 1 |', '| Info | 1 | 0 |'].join(
        '\n',
      ),
    );
  });

  test('findings grouped by rule, most severe first, remediation once, one row per finding', () => {
    const md = formatMarkdown(richResult(), META);
    const headings = md.split('\n').filter((l) => l.startsWith('### '));
    expect(headings).toEqual([
      '### Critical: SSH or RDP open to the whole internet (ssh-rdp-world)',
      '### High: Database port reachable from public addresses (db-public)',
      '### High: All traffic allowed (all-traffic)',
      '### Medium: Title with &lt;b&gt;html&lt;/b&gt; \\| pipes and \\`code\\` \\*stars\\* \\_under\\_ \\[link\\](x) (hostile\\|rule)',
      '### Low: Ping answered from the internet (icmp-echo)',
      '### Info: Browser SSH (Lightsail connect) allowed (lightsail-connect)',
    ]);
    expect(md.match(/\*\*Remediation:\*\* Close the port with `aws lightsail close-instance-public-ports`/g)).toHaveLength(1);
    expect(md).toContain('| web-1 | us-east-1 | tcp 22 | 0.0.0.0/0, ::/0 | tcp 22 open to 0.0.0.0/0, the whole IPv4 internet, and ::/0, the whole IPv6 internet. |');
    expect(md).toContain('| win-2 | eu-west-1 | tcp 3380-3390 | 0.0.0.0/1, 128.0.0.0/1 |');
    expect(md).toContain('| orders-db | us-east-1 | tcp 5432 | 2600:1f18::/32 |');
    expect(md).toContain('| web-1 | us-east-1 | tcp 22 | lightsail-connect |');
  });

  test('every table row has as many cells as its header, even with hostile names', () => {
    const lines = formatMarkdown(richResult(), META).split('\n');
    let width = 0;
    for (const line of lines) {
      if (!line.startsWith('| ')) {
        width = 0;
        continue;
      }
      const n = cells(line).length;
      if (width === 0) width = n;
      else expect({ line, n }).toEqual({ line, n: width });
    }
    const hostile = lines.find((l) => l.includes('evil'))!;
    expect(hostile).not.toMatch(/<|>|\u001b/);
    expect(cells(hostile)[0]).toBe('evil\\|&lt;script&gt;alert(1)&lt;/script&gt;\\*\\_\\`\\[x\\](y) next');
  });

  test('incomplete coverage is loud, and every region and instance not read is named', () => {
    const md = formatMarkdown(richResult(), META);
    expect(md).toContain('> [!CAUTION]\n> **Coverage incomplete:** 1 region and 1 instance could not be read.');
    expect(md).toContain('| ca-central-1 | **not read** | AccessDeniedException: not authorized to perform lightsail:GetInstances |');
    expect(md).toContain('| api-3 | eu-west-1 | **not read** | ThrottlingException: Rate exceeded |');
    expect(md).toContain('| temp-9 | us-east-1 | deleted during the scan |  |');
    expect(formatMarkdown(cleanResult(), META)).not.toContain('[!CAUTION]');
  });

  test('suppressed findings with reason and expiry; expired and unused exceptions; diagnostics by code', () => {
    const md = formatMarkdown(richResult(), META);
    expect(md).toContain('| Critical | ssh-rdp-world | bastion-1 | us-east-1 | tcp 22 | Bastion behind MFA, ticket SEC-123 | 2027-01-31 |');
    expect(md).toContain('| Low | icmp-echo | web-1 | us-east-1 | icmpv6 any type | Path MTU discovery needs ICMPv6, ticket NET-4 | never |');
    expect(md).toContain('- **Expired** 2026-11-24: policy.yaml:56 for db-public');
    expect(md).toContain('- **Unused**: policy.yaml:61 for ssh-rdp-world, db-public');
    expect(md).toContain('| warning | unknown-protocol | 1 |');
  });

  test('a clean run: no findings line, no suppressed section', () => {
    const md = formatMarkdown(cleanResult(), META);
    expect(md).toContain('No open findings.');
    expect(md).not.toContain('## Suppressed findings');
    expect(md).toContain('Coverage is complete.');
  });

  test('baseline: new findings marked, diff counted, fixed findings listed', () => {
    const result = richResult();
    for (const f of result.findings) f.baselineState = 'unchanged';
    result.findings[0]!.baselineState = 'new';
    result.fixed = [structuredClone(result.findings[3]!)];
    const md = formatMarkdown(result, META);
    expect(md).toContain('Compared with the baseline: **1 new**, 6 unchanged, 1 fixed.');
    expect(md).toContain('| web-1 **new** | us-east-1 | tcp 22 |');
    expect(md).toContain('## Fixed since the baseline');
    expect(md).toContain('| High | db-public | orders-db | us-east-1 | tcp 5432 |');
  });

  test.each([4_000, 20_000, 60_000])('cut to %i bytes at a row boundary, with a note naming what was left out', (maxBytes) => {
    const result = manyFindings(1000);
    const md = formatMarkdown(result, META, { maxBytes, fullReport: 'reports/portolan.json' });
    expect(bytes(md)).toBeLessThanOrEqual(maxBytes);
    const shown = md.split('\n').filter((l) => /^\| host-\d{6} /.test(l)).length;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(1000);
    expect(md).toContain(`${1000 - shown} of 1000 findings are not shown`);
    expect(md).toContain('The full report is reports/portolan.json.');
    // Every row is whole, and the most severe were kept.
    for (const l of md.split('\n').filter((x) => x.startsWith('| host-'))) expect(l.endsWith(' |')).toBe(true);
    expect(md).toContain('### Critical:');
    // As many rows as fit: one more would not.
    const oneMore = formatMarkdown(result, META, { maxBytes: maxBytes + 1, fullReport: 'reports/portolan.json' });
    expect(bytes(oneMore)).toBeLessThanOrEqual(maxBytes + 1);
  });

  test('the default cap is 1 MiB', () => {
    const md = formatMarkdown(manyFindings(12000), META);
    expect(bytes(md)).toBeLessThanOrEqual(1024 * 1024);
    expect(md).toMatch(/\d+ of 12000 findings are not shown/);
  });

  test('no cut, no note, when it fits', () => {
    expect(formatMarkdown(manyFindings(20), META)).not.toContain('are not shown');
  });

  test('multi-byte text counts in UTF-8 bytes', () => {
    const result = manyFindings(300);
    for (const f of result.findings) f.message = `${f.message} ${'ü'.repeat(40)}`;
    const md = formatMarkdown(result, META, { maxBytes: 20_000 });
    expect(bytes(md)).toBeLessThanOrEqual(20_000);
    expect(md.length).toBeLessThan(20_000);
  });

  test('even a limit smaller than the fixed sections holds, cut at a line', () => {
    const md = formatMarkdown(richResult(), META, { maxBytes: 600 });
    expect(bytes(md)).toBeLessThanOrEqual(600);
    expect(md).toContain('the full report is the JSON report (portolan.json)');
  });

  test('deterministic and independent of finding order', () => {
    const a = formatMarkdown(richResult(), META);
    const shuffled = richResult();
    shuffled.findings.reverse();
    expect(formatMarkdown(shuffled, META)).toBe(a);
  });
});
