// The gate as an attacker or a careless user would try it: every way found to
// make it pass when it should fail, crash with the "findings" status, hang,
// eat memory or leak, through the built CLI. Each case failed before the fix.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectNoStack, isolatedEnv, runCli, spawnCli } from './run-cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'portolan-gate-'));
});
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

const tmp = (name: string): string => join(dir, name);
const ESC = '\u001b';

function inventory(instances: unknown[], regions: unknown[] = [{ name: 'us-east-1', status: 'ok' }]): string {
  const file = tmp(`inv-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify({ version: 1, collectedAt: '2026-11-25T12:00:00Z', regions, instances }));
  return file;
}

function instance(name: string, portStates: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, region: 'us-east-1', arn: `arn:aws:lightsail:us-east-1:111122223333:Instance/${name}`, tags: [], portStates, ...extra };
}

const ssh = (cidrs: unknown) => ({ fromPort: 22, toPort: 22, protocol: 'tcp', state: 'open', cidrs, ipv6Cidrs: [], cidrListAliases: [] });

describe('false passes', () => {
  test('a finding suppressed in the baseline comes back as new when its exception expires (--fail-on-new fails)', async () => {
    const policy = tmp('expiring.yaml');
    writeFileSync(
      policy,
      [
        'version: 1',
        'extends: [baseline]',
        'exceptions:',
        '  - rules: [ssh-rdp-world, high-risk-ports-public]',
        '    instances: [web-1]',
        '    reason: "Temporary bastion, ticket SEC-9"',
        '    expires: 2026-11-25',
      ].join('\n'),
    );
    const inv = inventory([instance('web-1', [ssh(['0.0.0.0/0'])])]);
    const first = await runCli(['audit', '--input', inv, '--policy', policy, '--now', '2026-11-25', '--out', tmp('b1'), '--format', 'json']);
    expect(first.code).toBe(0);
    const second = await runCli([
      'audit', '--input', inv, '--policy', policy, '--now', '2026-12-01', '--out', tmp('b2'), '--format', 'json',
      '--baseline', join(tmp('b1'), 'portolan.json'), '--fail-on-new',
    ]);
    expect(second.code).toBe(1);
    expectNoStack(second.stderr);
    expect(second.stdout).toContain('Baseline: 2 new, 0 unchanged, 0 fixed');
    const report = JSON.parse(readFileSync(join(tmp('b2'), 'portolan.json'), 'utf8')) as { findings: Array<{ baselineState: string; suppressed: boolean }> };
    expect(report.findings.map((f) => [f.suppressed, f.baselineState])).toEqual([
      [false, 'new'],
      [false, 'new'],
    ]);
  });

  test('a finding whose rule became more severe is new for --fail-on-new', async () => {
    const inv = inventory([instance('web-1', [ssh(['198.51.100.0/24', '8.8.8.0/24'])])]);
    const rule = (severity: string): string => {
      const file = tmp(`sev-${severity}.yaml`);
      writeFileSync(file, `version: 1\nrules:\n  - id: ssh-public\n    title: SSH from public addresses\n    severity: ${severity}\n    match: { protocol: tcp, ports: [22], source: public }\n`);
      return file;
    };
    const low = await runCli(['audit', '--input', inv, '--policy', rule('low'), '--out', tmp('s1'), '--format', 'json']);
    expect(low.code).toBe(0);
    const high = await runCli(['audit', '--input', inv, '--policy', rule('high'), '--out', tmp('s2'), '--format', 'json', '--baseline', join(tmp('s1'), 'portolan.json'), '--fail-on-new']);
    expect(high.code).toBe(1);
    expectNoStack(high.stderr);
  });

  test('cidrs written as a string is read as that CIDR: SSH open to the world fails the gate', async () => {
    const r = await runCli(['audit', '--input', inventory([instance('web-1', [ssh('0.0.0.0/0')])]), '--out', tmp('str'), '--format', 'json']);
    expect(r.code).toBe(1);
    expectNoStack(r.stderr);
    expect(r.stdout).toContain('ssh-rdp-world web-1 (us-east-1): tcp 22 open to 0.0.0.0/0');
  });

  test.each([
    ['an object', { cidr: '0.0.0.0/0' }],
    ['a number entry', [0]],
    ['a null entry', ['198.51.100.1', null]],
  ])('cidrs as %s cannot be read: the audit is incomplete (3), never clean', async (_label, cidrs) => {
    const out = tmp(`unreadable-${Math.random()}`);
    const r = await runCli(['audit', '--input', inventory([instance('web-1', [ssh(cidrs)])]), '--out', out, '--format', 'json']);
    expect(r.code).toBe(3);
    const report = JSON.parse(readFileSync(join(out, 'portolan.json'), 'utf8')) as { coverage: { complete: boolean; unread: Array<{ error: { code: string } }> } };
    expect(report.coverage.complete).toBe(false);
    expect(report.coverage.unread[0]?.error.code).toBe('UnreadablePortState');
  });

  test('an inventory with no region and no instance is not a clean audit', async () => {
    const r = await runCli(['audit', '--input', inventory([], []), '--out', tmp('empty'), '--format', 'json']);
    expect(r.code).toBe(3);
  });

  test.each([
    [['--regions', 'us-east-1'], '--regions: shapes a live collection and would do nothing with --input'],
    [['--exclude-regions', 'eu-west-1', '--accounts', '222222222222'], '--exclude-regions, --accounts: shape a live collection and would do nothing with --input'],
  ])('a live-only filter with --input (%j) is refused, never silently not applied', async (flags, message) => {
    const r = await runCli(['audit', '--input', inventory([instance('web-1', [ssh(['0.0.0.0/0'])])]), '--out', tmp('live-only'), ...flags]);
    expect(r.code).toBe(2);
    expectNoStack(r.stderr);
    expect(r.stderr).toContain(message);
    expect(existsSync(tmp('live-only'))).toBe(false);
  });

  test('an organization inventory whose every account is skipped audited nothing: incomplete (3), never clean', async () => {
    const file = tmp('all-skipped.json');
    writeFileSync(file, JSON.stringify({ version: 1, collectedAt: '2026-11-25T12:00:00Z', accounts: [{ id: '333333333333', status: 'skipped' }], regions: [], instances: [] }));
    const r = await runCli(['audit', '--input', file, '--out', tmp('all-skipped'), '--format', 'json']);
    expect(r.code).toBe(3);
    expectNoStack(r.stderr);
    const report = JSON.parse(readFileSync(join(tmp('all-skipped'), 'portolan.json'), 'utf8')) as { coverage: { complete: boolean }; diagnostics: Array<{ code: string }> };
    expect(report.coverage.complete).toBe(false);
    expect(report.diagnostics.map((d) => d.code)).toContain('nothing-read');
  });

  test.each([
    ['missing', undefined],
    ['a list', ['tcp']],
    ['null', null],
  ])('a port state whose protocol is %s cannot be read: incomplete (3), never clean', async (_label, protocol) => {
    const out = tmp(`protocol-${Math.random()}`);
    const r = await runCli(['audit', '--input', inventory([instance('web-1', [{ ...ssh(['0.0.0.0/0']), protocol }])]), '--out', out, '--format', 'json']);
    expect(r.code).toBe(3);
    expectNoStack(r.stderr);
    const report = JSON.parse(readFileSync(join(out, 'portolan.json'), 'utf8')) as { coverage: { unread: Array<{ name: string; error: { code: string } }> } };
    expect(report.coverage.unread.map((u) => [u.name, u.error.code])).toEqual([['web-1', 'UnreadablePortState']]);
  });

  test('values nested without end in a port state are bad input, not a crash (no exit 70)', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const file = tmp('deep.json');
    writeFileSync(
      file,
      `{"version":1,"collectedAt":"2026-11-25T12:00:00Z","regions":[{"name":"us-east-1","status":"ok"}],"instances":[{"name":"web-1","region":"us-east-1","tags":[],` +
        `"portStates":[{"fromPort":22,"toPort":22,"protocol":${deep},"state":${deep},"cidrs":["0.0.0.0/0"]}],"listedPorts":[{"fromPort":22,"toPort":22,"protocol":${deep}}]}]}`,
    );
    const r = await runCli(['audit', '--input', file, '--out', tmp('deep'), '--format', 'json']);
    expect(r.code).toBe(3);
    expectNoStack(r.stderr);
  });

  test('an account id that would climb out of --out is refused before anything is written', async () => {
    const file = tmp('escape.json');
    const escaped = '../../escaped-' + Math.random().toString(36).slice(2);
    writeFileSync(file, JSON.stringify({ version: 1, collectedAt: '2026-11-25T12:00:00Z', accounts: [{ id: escaped, status: 'ok' }], regions: [{ name: 'us-east-1', status: 'ok', accountId: escaped }], instances: [] }));
    const out = join(tmp('escape'), 'a', 'b');
    const r = await runCli(['audit', '--input', file, '--out', out]);
    expect(r.code).toBe(2);
    expectNoStack(r.stderr);
    expect(r.stderr).toContain('expected a 12-digit AWS account id');
    expect(existsSync(tmp('escape'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('escaped-'))).toEqual([]);
  });
});

/** A fake Lightsail that answers each operation with a fixed body. */
async function fakeLightsail(answers: Record<string, unknown>): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const op = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(answers[op] ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('thin API answers are unread, not empty', () => {
  test('200 {} to every call: nothing collected, exit 2, nothing written', async () => {
    const { url, server } = await fakeLightsail({});
    try {
      const out = tmp('thin1.json');
      const r = await runCli(['collect', '--endpoint-url', url, '--home-region', 'us-east-1', '--out', out, '--max-attempts', '1']);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('cannot list Lightsail regions (GetRegions in us-east-1): MalformedResponse: the answer has no regions list; nothing was collected\n');
      expect(existsSync(out)).toBe(false);
    } finally {
      server.close();
    }
  });

  test('regions listed but GetInstances answers {}: every region is an error, exit 3', async () => {
    const { url, server } = await fakeLightsail({ GetRegions: { regions: [{ name: 'us-east-1' }, { name: 'eu-west-1' }] } });
    try {
      const out = tmp('thin2');
      const r = await runCli(['audit', '--endpoint-url', url, '--home-region', 'us-east-1', '--out', out, '--format', 'json', '--max-attempts', '1', '--quiet']);
      expect(r.code).toBe(3);
      const report = JSON.parse(readFileSync(join(out, 'portolan.json'), 'utf8')) as { coverage: { regions: Array<{ status: string; error: { code: string } }> } };
      expect(report.coverage.regions.map((g) => [g.status, g.error.code])).toEqual([
        ['error', 'MalformedResponse'],
        ['error', 'MalformedResponse'],
      ]);
    } finally {
      server.close();
    }
  });

  test('selecting no region is a usage error before any call', async () => {
    const r = await runCli(['audit', '--endpoint-url', 'http://127.0.0.1:9', '--region', 'us-east-1', '--exclude-regions', 'us-east-1', '--out', tmp('none')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/every region named is also excluded/);
  });
});

describe('a crash is not a finding', () => {
  const hook = (): string => {
    const file = tmp('crash-hook.mjs');
    writeFileSync(
      file,
      "import crypto from 'node:crypto';\nimport { syncBuiltinESMExports } from 'node:module';\ncrypto.hash = () => { throw new TypeError('injected defect'); };\nsyncBuiltinESMExports();\n",
    );
    return file;
  };

  test('an internal error exits 70 with one line and where to report it, no stack', async () => {
    const r = await runCli(['audit', '--input', inventory([instance('web-1', [ssh(['0.0.0.0/0'])])]), '--out', tmp('crash')], { nodeArgs: ['--import', hook()] });
    expect(r.code).toBe(70);
    const lines = r.stderr.trim().split('\n');
    expect(lines[0]).toBe('portolan: internal error: TypeError: injected defect');
    expect(lines[1]).toMatch(/^This is a bug in Portolan .*, not a finding\. Please report it at https:\/\/.* PORTOLAN_DEBUG=1\.$/);
    expect(lines).toHaveLength(2);
    expect(existsSync(tmp('crash'))).toBe(false);
  });

  test('PORTOLAN_DEBUG=1 adds the stack', async () => {
    const r = await runCli(['audit', '--input', inventory([instance('web-1', [ssh(['0.0.0.0/0'])])]), '--out', tmp('crash2')], {
      nodeArgs: ['--import', hook()],
      env: isolatedEnv({ PORTOLAN_DEBUG: '1' }),
    });
    expect(r.code).toBe(70);
    expect(r.stderr).toMatch(/^\s+at /m);
  });
});

describe('crashes found, fixed', () => {
  test('an instance name with a lone surrogate: SARIF is written and parses', async () => {
    const out = tmp('surrogate');
    const r = await runCli(['audit', '--input', inventory([instance('web-\ud800', [ssh(['0.0.0.0/0'])])]), '--out', out]);
    expect(r.code).toBe(1);
    expectNoStack(r.stderr);
    const sarif = JSON.parse(readFileSync(join(out, 'portolan.sarif'), 'utf8')) as { runs: Array<{ results: Array<{ locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> }> };
    expect(sarif.runs[0]?.results[0]?.locations[0]?.physicalLocation.artifactLocation.uri).toBe('lightsail/us-east-1/web-%EF%BF%BD');
  });

  test('--out where a report name is a directory: nothing replaced, no temp files, previous reports intact', async () => {
    const out = tmp('blocked');
    mkdirSync(join(out, 'portolan.sarif'), { recursive: true });
    writeFileSync(join(out, 'portolan.json'), 'previous');
    writeFileSync(join(out, '.portolan.json.999999999.0badc0de.tmp'), 'left by a killed run');
    const r = await runCli(['audit', '--input', inventory([instance('web-1', [])]), '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`cannot write ${join(out, 'portolan.sarif')}: a directory is in its place; nothing was written\n`);
    expect(readFileSync(join(out, 'portolan.json'), 'utf8')).toBe('previous');
    const ok = await runCli(['audit', '--input', inventory([instance('web-1', [])]), '--out', out, '--format', 'json']);
    expect(ok.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['portolan.json', 'portolan.sarif']);
  });

  test('a reader that closes stdout early (| head -1): quiet, and the audit keeps its own status', async () => {
    const child = spawnCli(['audit', '--input', inventory([instance('web-1', [ssh(['0.0.0.0/0'])])]), '--out', tmp('pipe')]);
    child.stdout?.destroy();
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(1);
    expect(stderr).toBe('');
    expect(existsSync(join(tmp('pipe'), 'portolan.json'))).toBe(true);
  });
});

describe('hangs and memory', () => {
  test('a YAML alias bomb is refused at once with one line', async () => {
    const file = tmp('bomb.yaml');
    const ports = `p: &p [${Array.from({ length: 300 }, (_, i) => i + 1).join(', ')}]`;
    const allow = `a: &a [${Array.from({ length: 300 }, () => '{ protocol: tcp, ports: *p }').join(', ')}]`;
    const rules = Array.from({ length: 300 }, (_, i) => `  - { id: r${i}, title: t, match: { protocol: tcp }, allow: *a }`).join('\n');
    writeFileSync(file, `version: 1\nx:\n  ${ports}\n  ${allow}\nrules:\n${rules}\n`);
    const r = await runCli(['validate', '--policy', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(`${file}:1:1: aliases expand this policy to more than 200,000 values; refusing to read it (write the entries out, or use fewer aliases)`);
  });

  test.each([
    ['--input /dev/zero', ['audit', '--input', '/dev/zero'], '/dev/zero: cannot read inventory: a character device, not a file\n'],
    ['--baseline /dev/zero', ['audit', '--input', 'test/fixtures/sample-inventory.json', '--baseline', '/dev/zero'], '/dev/zero: cannot read the baseline report: a character device, not a file\n'],
  ])('%s is refused, not read forever', async (_label, args, stderr) => {
    const r = await runCli([...args, '--out', tmp('zero')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(stderr);
  });

  test('extends: ["/dev/zero"] and a FIFO are refused, not read forever', async () => {
    const fifo = tmp('fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    const file = tmp('zero.yaml');
    writeFileSync(file, `version: 1\nextends: ["/dev/zero", "${fifo}"]\n`);
    const r = await runCli(['validate', '--policy', file]);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').slice(0, 2)).toEqual([
      `${file}:2:11: extends[0]: cannot read "/dev/zero": a character device, not a file`,
      `${file}:2:24: extends[1]: cannot read "${fifo}": a pipe (FIFO), not a file`,
    ]);
  });

  test('a policy extending itself through a symbolic link is a cycle, not 40 duplicate rules', async () => {
    const real = tmp('loop.yaml');
    writeFileSync(real, 'version: 1\nextends: [./loop-link.yaml]\nrules:\n  - { id: a, title: t }\n');
    symlinkSync(real, tmp('loop-link.yaml'));
    const r = await runCli(['validate', '--policy', real]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(`${real}:2:11: extends[0]: cycle: ${real} -> ${real}`);
  });
});

describe('leaks', () => {
  test('extends naming a file that is not a policy never prints its content', async () => {
    const file = tmp('environ.yaml');
    writeFileSync(file, 'version: 1\nextends: ["/proc/self/environ"]\n');
    const r = await runCli(['validate', '--policy', file], { env: isolatedEnv({ PORTOLAN_TEST_SECRET: 'hunter2-secret-value' }) });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain('hunter2');
    expect(r.stderr).not.toContain('PATH=');
    expect(r.stderr).toMatch(/a policy must be a mapping starting with "version: 1", got a text of \d+ characters/);
  });

  test('credentials in --endpoint-url never reach a report or the terminal', async () => {
    const { url, server } = await fakeLightsail({ GetRegions: { regions: [{ name: 'us-east-1' }] }, GetInstances: { instances: [] } });
    try {
      const secretUrl = url.replace('http://', 'http://user:PASSWORD@');
      const out = tmp('creds');
      const r = await runCli(['audit', '--endpoint-url', secretUrl, '--home-region', 'us-east-1', '--out', out, '--format', 'json,sarif,markdown,text']);
      expect(r.code).toBe(0);
      expect(r.stdout + r.stderr).not.toContain('PASSWORD');
      for (const f of readdirSync(out)) expect(readFileSync(join(out, f), 'utf8')).not.toContain('PASSWORD');
      expect(r.stdout).toContain(`source live (${url} (credentials and query removed))`);
    } finally {
      server.close();
    }
  });

  test('terminal escapes from an inventory, a baseline and a policy reach the terminal escaped', async () => {
    const inv = inventory(
      [instance(`evil${ESC}]0;pwned${ESC}\\`, [], { status: 'error', error: { code: `Denied${ESC}[2J`, message: `msg\u202e${ESC}[31m` } })],
      [{ name: 'us-east-1', status: 'ok' }],
    );
    const audit = await runCli(['audit', '--input', inv, '--out', tmp('esc')]);
    expect(audit.code).toBe(3);
    expect(audit.stdout).not.toContain(ESC);
    expect(audit.stdout).not.toContain('\u202e');
    expect(audit.stdout).toContain('evil\\u001b]0;pwned\\u001b\\ (us-east-1) not read (Denied\\u001b[2J: msg\\u202e\\u001b[31m)');

    const baseline = tmp('bad-baseline.json');
    writeFileSync(baseline, `{"version": 1, "findings": [${ESC}[31m]}`);
    const b = await runCli(['audit', '--input', inv, '--out', tmp('esc2'), '--baseline', baseline]);
    expect(b.code).toBe(2);
    expect(b.stderr).not.toContain(ESC);

    const policy = tmp('esc.yaml');
    writeFileSync(policy, `version: 1\nrules:\n  - id: a\n    title: t\n    severity: "urgent${ESC}[2J"\n`);
    const p = await runCli(['validate', '--policy', policy]);
    expect(p.code).toBe(2);
    expect(p.stderr).not.toContain(ESC);
    expect(p.stderr).toContain('"urgent\\u001b[2J" is not one of critical, high, medium, low, info');
  });
});

describe('smaller', () => {
  test.each([
    ['--now ""', ['--now', ''], '--now: needs a value, got ""'],
    ['--policy ""', ['--policy', ''], '--policy: needs a value, got ""'],
    ['--out " "', ['--out', ' '], '--out: needs a value, got " "'],
  ])('%s is a usage error, never a silent default', async (_label, flags, line) => {
    const r = await runCli(['audit', '--input', 'test/fixtures/sample-inventory.json', ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${line}\n`);
  });
});
