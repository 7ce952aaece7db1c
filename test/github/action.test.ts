// action.yml, checked offline: against GitHub's action schema (the
// action-validator WASM build), for how inputs reach the shell, and by running
// its steps with bash as the runner would (test/github/run-action.ts) against
// the local emulator, with the built CLI as the workspace's own
// node_modules/.bin/portolan: the "user already has portolan" path.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Log } from 'sarif';
import { parse } from 'yaml';
import type { Inventory } from '../../src/core/types.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { CLI, isolatedEnv, readReport, REPO } from '../cli/run-cli.js';
import { ACTION_DIR, ACTION_FILE, loadAction, runAction, type ActionRun } from './run-action.js';

const require = createRequire(import.meta.url);
// A CommonJS WASM wrapper: required, not imported.
const validator = require('@action-validator/core') as typeof import('@action-validator/core');

const actionText = readFileSync(ACTION_FILE, 'utf8');
const ACTION_LIB = readFileSync(join(ACTION_DIR, 'action/lib.sh'), 'utf8');
const REPORT_OUTPUTS = readFileSync(join(ACTION_DIR, 'action/report-outputs.js'), 'utf8');
const action = loadAction();

describe('action.yml schema', () => {
  test('is a valid GitHub action', () => {
    expect(validator.validateAction(actionText).errors).toEqual([]);
  });

  test.each([
    ['a run step without shell', actionText.replace(/^ {6}shell: bash\n/m, '')],
    ['an unknown runs.using', actionText.replace('using: composite', 'using: compost')],
    ['an output without value', actionText.replace('    value: ${{ steps.audit.outputs.sarif-file }}\n', '')],
  ])('the validator rejects %s (it can fail)', (_label, broken) => {
    expect(broken).not.toBe(actionText);
    expect(validator.validateAction(broken).errors.length).toBeGreaterThan(0);
  });
});

describe('action.yml contract', () => {
  test('inputs and their defaults', () => {
    const defaults = Object.fromEntries(Object.entries(action.inputs).map(([name, spec]) => [name, spec.default]));
    expect(defaults).toEqual({
      'policy': 'baseline',
      'format': 'json,sarif,markdown',
      'fail-on': 'high',
      'category': '',
      'baseline': '',
      'out': 'reports',
      'working-directory': '.',
      'version': expect.any(String),
      'args': '',
    });
    expect(Object.values(action.inputs).every((spec) => spec.required !== true && spec.description.length > 0)).toBe(true);
  });

  test('the pinned version is the package version (a release tags both at once)', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(action.inputs['version']?.default).toBe(pkg.version);
  });

  test('outputs come from the audit step, and the audit step sets each of them', () => {
    expect(Object.keys(action.outputs).sort()).toEqual(['exit-code', 'findings', 'json-file', 'markdown-file', 'report-dir', 'sarif-file', 'sarif-upload']);
    const audit = action.runs.steps.find((s) => s.id === 'audit')!;
    const find = action.runs.steps.find((s) => s.id === 'portolan')!;
    for (const [name, spec] of Object.entries(action.outputs)) {
      if (name === 'exit-code') {
        // A failed first step still says its status: `fail` sets it.
        expect(spec.value).toBe('${{ steps.audit.outputs.exit-code || steps.portolan.outputs.exit-code }}');
        expect(ACTION_LIB).toContain('set_output exit-code "$1"');
        expect(find.run).toContain('. "$GITHUB_ACTION_PATH/action/lib.sh"');
        expect(find.run).toContain('fail 2 ');
      } else expect(spec.value).toBe(`\${{ steps.audit.outputs.${name} }}`);
      // The report outputs are written by the script that checks this run wrote them.
      if (name === 'exit-code' || name === 'report-dir') expect(audit.run).toContain(`set_output ${name} `);
      else expect(REPORT_OUTPUTS).toContain(`outputs['${name}'] = `);
    }
    expect(audit.run).toContain('node "$GITHUB_ACTION_PATH/action/report-outputs.js" ');
  });

  test('composite, bash only, uploads nothing, never fails on findings by itself', () => {
    expect(action.runs.using).toBe('composite');
    for (const step of action.runs.steps) {
      expect(step.uses).toBeUndefined();
      expect(step.shell).toBe('bash');
      expect(step['continue-on-error']).toBeUndefined();
    }
    for (const text of [actionText, ACTION_LIB, REPORT_OUTPUTS]) expect(text).not.toMatch(/upload-sarif|upload-artifact|codeql|curl |wget /);
    // The only `exit` with the audit's code is on the 2 / other-failure branches.
    const audit = action.runs.steps.find((s) => s.id === 'audit')!.run!;
    expect(audit).toMatch(/0 \| 1 \| 3\) ;;/);
  });

  test('inputs reach the shell only through env: no expression inside run:, every env value one expression', () => {
    const used = new Set<string>();
    for (const step of action.runs.steps) {
      expect(step.run).not.toContain('${{');
      for (const value of Object.values(step.env ?? {})) {
        expect(value).toMatch(/^\$\{\{ (inputs\.[a-z-]+|steps\.[a-z]+\.outputs\.[a-z-]+) \}\}$/);
        const input = /inputs\.([a-z-]+)/.exec(value);
        if (input) used.add(input[1]!);
      }
    }
    expect([...used].sort()).toEqual(Object.keys(action.inputs).sort());
  });

  test('never touches package.json or the user\'s node_modules: installs only under RUNNER_TEMP', () => {
    const find = action.runs.steps.find((s) => s.id === 'portolan')!.run!;
    expect(find).toContain('prefix="$RUNNER_TEMP/portolan-$PORTOLAN_VERSION"');
    expect(find).toMatch(/\(cd "\$prefix" && npm install [^\n]*--no-save[^\n]*--ignore-scripts "portolan@\$PORTOLAN_VERSION"\)/);
    expect(find.match(/\bnpm (install|i|ci|exec|link|update)\b/g)).toHaveLength(1);
  });
});

describe('the README\'s workflow using the action', () => {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const block = /<!-- action-workflow:start -->\n```yaml\n([\s\S]*?)```\n<!-- action-workflow:end -->/.exec(readme)?.[1] ?? '';
  interface Step { id?: string; uses?: string; if?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string> }
  const workflow = parse(block) as { permissions: Record<string, string>; jobs: Record<string, { steps: Step[] }> };
  const steps = Object.values(workflow.jobs)[0]?.steps ?? [];

  test('is a valid GitHub workflow', () => {
    expect(block).not.toBe('');
    expect(validator.validateWorkflow(block).errors).toEqual([]);
  });

  test('gives the action only declared inputs and reads only declared outputs', () => {
    const step = steps.find((s) => s.uses === 'portolan-dev/portolan@v1')!;
    expect(Object.keys(step.with ?? {}).every((k) => k in action.inputs)).toBe(true);
    const read = [...block.matchAll(/steps\.portolan\.outputs\.([a-z-]+)/g)].map((m) => m[1]!);
    expect(new Set(read)).toEqual(new Set(['sarif-upload', 'markdown-file', 'report-dir', 'exit-code', 'findings']));
    expect(read.every((name) => name in action.outputs)).toBe(true);
  });

  test('OIDC, then the action, then SARIF, summary and artifact even after findings, and the verdict last', () => {
    expect(workflow.permissions).toEqual({ 'id-token': 'write', 'security-events': 'write', 'contents': 'read' });
    const index = (uses: string): number => steps.findIndex((s) => s.uses?.startsWith(uses));
    const order = ['aws-actions/configure-aws-credentials@', 'portolan-dev/portolan@', 'github/codeql-action/upload-sarif@', 'actions/upload-artifact@'].map(index);
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const summary = steps.findIndex((s) => s.run?.includes('>> "$GITHUB_STEP_SUMMARY"'));
    expect(summary).toBeGreaterThan(index('portolan-dev/portolan@'));
    for (const step of steps.slice(index('portolan-dev/portolan@') + 1)) expect(step.if).toMatch(/^always\(\)/);
    const sarif = steps[index('github/codeql-action/upload-sarif@')]!;
    expect(sarif.with).toMatchObject({ sarif_file: '${{ steps.portolan.outputs.sarif-upload }}', category: expect.any(String), 'wait-for-processing': true });
    expect(sarif.if).toBe("always() && steps.portolan.outputs.sarif-upload != ''");
    const last = steps.at(-1)!;
    expect(last.env?.['AUDIT_EXIT_CODE']).toBe('${{ steps.portolan.outputs.exit-code }}');
    expect(last.run).toContain('exit "$code"');
    // Outputs reach run: through env only, as in the action itself.
    for (const step of steps) expect(step.run ?? '').not.toContain('${{');
  });

  test('documents every input and output', () => {
    for (const name of Object.keys(action.inputs)) expect(readme).toContain(`| \`${name}\` |`);
    for (const name of Object.keys(action.outputs)) expect(readme).toMatch(new RegExp(`\\| [^|\\n]*\`${name}\``));
  });
});

// ------------------------------------------------------------ running it

const NOW = '2026-11-25T12:00:00Z';
const open = (port: number, cidrs: string[]) => ({ fromPort: port, toPort: port, protocol: 'tcp', state: 'open', cidrs, ipv6Cidrs: [], cidrListAliases: [] });
const arn = (region: string, name: string): string => `arn:aws:lightsail:${region}:111122223333:Instance/${name}`;

/** Two regions, three instances: SSH and PostgreSQL open to the world, one clean web server. */
const FLEET: Inventory = {
  version: 1,
  collectedAt: NOW,
  regions: [
    { name: 'us-east-1', status: 'ok' },
    { name: 'eu-west-1', status: 'ok' },
  ],
  instances: [
    { name: 'web-1', region: 'us-east-1', arn: arn('us-east-1', 'web-1'), tags: [], portStates: [open(22, ['0.0.0.0/0']), open(443, ['0.0.0.0/0'])] },
    { name: 'db-1', region: 'us-east-1', arn: arn('us-east-1', 'db-1'), tags: [], portStates: [open(5432, ['0.0.0.0/0'])] },
    { name: 'www-1', region: 'eu-west-1', arn: arn('eu-west-1', 'www-1'), tags: [], portStates: [open(443, ['0.0.0.0/0'])] },
  ],
};

let dir: string;
let emulator: RunningEmulator;
let counter = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'portolan-action-'));
  emulator = await startEmulator({ inventory: FLEET });
});
afterAll(async () => {
  await emulator.close();
  rmSync(dir, { recursive: true, force: true });
});

const USER_PACKAGE_JSON = '{\n  "name": "infra",\n  "private": true,\n  "devDependencies": { "portolan": "^0.1.0" }\n}\n';

/** A user's repository checkout; `bin` is what its node_modules/.bin/portolan is. */
function workspace(bin: 'built' | 'fake' | 'none', sub = ''): string {
  const root = join(dir, `ws-${++counter}`);
  const project = join(root, sub);
  mkdirSync(project, { recursive: true });
  writeFileSync(join(project, 'package.json'), USER_PACKAGE_JSON);
  if (bin !== 'none') {
    mkdirSync(join(project, 'node_modules/.bin'), { recursive: true });
    const shim = join(project, 'node_modules/.bin/portolan');
    // npm links the bin to the package's main.js; a shim to the built CLI is the same to the action.
    writeFileSync(shim, bin === 'built' ? `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n` : FAKE);
    chmodSync(shim, 0o755);
  }
  return root;
}

/**
 * Records its arguments and plays an audit that exits $FAKE_EXIT, writing its reports for 0, 1 and 3
 * as portolan does (a new file renamed over the old): JSON, Markdown, and SARIF (one file, or one per
 * account of $FAKE_ACCOUNTS, $FAKE_UNREAD_ACCOUNT's incomplete). $FAKE_WRITES=none writes nothing.
 */
const FAKE = `#!/usr/bin/env bash
if [ "$1" = "--version" ]; then echo 0.0.0-fake; exit 0; fi
printf '%s\\0' "$@" > "$FAKE_ARGV"
out=reports previous=
for arg in "$@"; do case "$arg" in --out=*) out="\${arg#--out=}" ;; esac; if [ "$previous" = --out ]; then out="$arg"; fi; previous="$arg"; done
put() { printf '%s' "$2" > "$out/.$1.tmp" && mv -f "$out/.$1.tmp" "$out/$1"; }
case "$FAKE_EXIT" in 0|1|3) ;; *) exit "$FAKE_EXIT" ;; esac
if [ "\${FAKE_WRITES:-}" = none ]; then exit "$FAKE_EXIT"; fi
mkdir -p "$out"
put portolan.json '{"version":1,"summary": {"bySeverity": {"critical": 1, "high": 1}, "suppressed": 1},"findings":[{"suppressed":false},{"suppressed":true},{"suppressed":false}]}'
put portolan.md '# Portolan'
complete=true; if [ "$FAKE_EXIT" = 3 ]; then complete=false; fi
if [ -n "\${FAKE_ACCOUNTS:-}" ]; then
  for account in $FAKE_ACCOUNTS; do
    ok=true; if [ "$account" = "\${FAKE_UNREAD_ACCOUNT:-}" ]; then ok=false; fi
    put "portolan-$account.sarif" "{\\"version\\":\\"2.1.0\\",\\"runs\\":[{\\"invocations\\":[{\\"executionSuccessful\\":$ok}]}]}"
  done
else
  put portolan.sarif "{\\"version\\":\\"2.1.0\\",\\"runs\\":[{\\"invocations\\":[{\\"executionSuccessful\\":$complete}]}]}"
fi
exit "$FAKE_EXIT"
`;

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return isolatedEnv({ AWS_REGION: 'us-east-1', ...extra });
}

function listing(root: string): string[] {
  return readdirSync(root, { recursive: true }).map(String).sort();
}

function expectPassed(run: ActionRun): void {
  if (run.code !== 0) throw new Error(`the action failed in ${String(run.failedStep)} with ${run.code}:\n${run.stdout}\n${run.stderr}`);
}

describe('the action against the emulator, with the workspace\'s own portolan', () => {
  test('defaults: findings give exit-code 1 and a passing step; SARIF, Markdown and JSON written; the workspace is left alone', async () => {
    const ws = workspace('built');
    const before = listing(ws);
    const run = await runAction({ workspace: ws, env: env(), inputs: { args: `--endpoint-url ${emulator.url}`, category: 'lightsail-prod' } });
    expectPassed(run);
    expect(run.stdout).toContain('Using the portolan installed in working-directory');
    expect(run.outputs).toEqual({
      'exit-code': '1',
      'findings': expect.stringMatching(/^\d+$/),
      'sarif-file': 'reports/portolan.sarif',
      'sarif-upload': 'reports/portolan.sarif',
      'markdown-file': 'reports/portolan.md',
      'json-file': 'reports/portolan.json',
      'report-dir': 'reports',
    });
    // A live audit through the emulator, with the bundled baseline pack.
    expect(emulator.callCount({ operation: 'GetInstancePortStates' })).toBeGreaterThanOrEqual(3);
    const report = readReport(join(ws, run.outputs['json-file']!));
    expect(report.source).toMatch(/^live\b/);
    expect(report.policy.path).toMatch(/rules\/baseline\.yaml$/);
    const open = report.findings.filter((f) => !f.suppressed);
    expect(open.length).toBeGreaterThan(0);
    expect(run.outputs['findings']).toBe(String(open.length));
    expect(new Set(open.map((f) => f.instance.name))).toEqual(new Set(['web-1', 'db-1']));

    const sarif = JSON.parse(readFileSync(join(ws, run.outputs['sarif-file']!), 'utf8')) as Log;
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]!.results).toHaveLength(report.findings.length);
    expect(sarif.runs[0]!.automationDetails?.id).toBe('lightsail-prod/');
    const markdown = readFileSync(join(ws, run.outputs['markdown-file']!), 'utf8');
    expect(markdown).toContain('ssh-rdp-world');
    expect(markdown).toContain('db-1');

    // Only the reports were added: package.json and node_modules are as they were, nothing uploaded or summarized.
    expect(listing(ws)).toEqual([...before, 'reports', 'reports/portolan.json', 'reports/portolan.md', 'reports/portolan.sarif'].sort());
    expect(readFileSync(join(ws, 'package.json'), 'utf8')).toBe(USER_PACKAGE_JSON);
    expect(run.summary).toBe('');
  });

  test('a bundled pack by name (strict), fail-on none: exit-code 0 with findings still counted', async () => {
    const ws = workspace('built');
    const run = await runAction({ workspace: ws, env: env(), inputs: { 'policy': 'strict', 'fail-on': 'none', 'args': `--endpoint-url ${emulator.url}` } });
    expectPassed(run);
    expect(run.outputs['exit-code']).toBe('0');
    const report = readReport(join(ws, 'reports/portolan.json'));
    expect(report.policy.path).toMatch(/rules\/strict\.yaml$/);
    expect(report.findings.every((f) => f.ruleId === 'only-web-and-ping-public')).toBe(true);
    expect(run.outputs['findings']).toBe(String(report.findings.length));
    expect(Number(run.outputs['findings'])).toBeGreaterThan(0);
  });

  test('working-directory, a policy file with an exception, --input through args, json only: paths from the workspace, suppressed not counted, exit-code 3 on incomplete coverage', async () => {
    const ws = workspace('built', 'infra/audit');
    const project = join(ws, 'infra/audit');
    writeFileSync(
      join(project, 'policy.yaml'),
      ['version: 1', 'extends: [baseline]', 'exceptions:', '  - rules: ["*"]', '    instances: [db-1]', '    reason: "Database behind an allow-list, ticket SEC-9"', ''].join('\n'),
    );
    const partial: Inventory = { ...FLEET, regions: [...FLEET.regions, { name: 'ap-south-1', status: 'error', error: { code: 'AccessDeniedException', message: 'denied' } }] };
    writeFileSync(join(project, 'fleet-inventory.json'), JSON.stringify(partial));
    const run = await runAction({
      workspace: ws,
      env: env(),
      inputs: { 'working-directory': 'infra/audit', 'policy': 'policy.yaml', 'format': ' JSON ', 'fail-on': 'critical', 'args': '--input\nfleet-inventory.json\n--now 2026-11-25T12:00:00Z', 'out': 'out/portolan' },
    });
    expectPassed(run);
    // ssh-rdp-world (critical) on web-1 fails at critical; coverage being incomplete too, 1 wins.
    expect(run.outputs['exit-code']).toBe('1');
    expect(run.outputs['json-file']).toBe('infra/audit/out/portolan/portolan.json');
    expect(run.outputs['sarif-file']).toBe('');
    expect(run.outputs['markdown-file']).toBe('');
    const report = readReport(join(ws, run.outputs['json-file']!));
    expect(report.coverage.complete).toBe(false);
    const suppressed = report.findings.filter((f) => f.suppressed);
    expect(suppressed.map((f) => f.instance.name)).toEqual(suppressed.map(() => 'db-1'));
    expect(suppressed.length).toBeGreaterThan(0);
    expect(run.outputs['findings']).toBe(String(report.findings.length - suppressed.length));

    const onlyGaps = await runAction({
      workspace: ws,
      env: env(),
      inputs: { 'working-directory': 'infra/audit', 'policy': 'policy.yaml', 'fail-on': 'none', 'args': '--input fleet-inventory.json' },
    });
    expectPassed(onlyGaps);
    expect(onlyGaps.outputs['exit-code']).toBe('3');
    expect(onlyGaps.outputs['sarif-file']).toBe('infra/audit/reports/portolan.sarif');
    expect(existsSync(join(ws, onlyGaps.outputs['sarif-file']!))).toBe(true);
    // An incomplete audit's SARIF is held back: uploading it would close the unread region's alerts as fixed.
    expect(onlyGaps.outputs['sarif-upload']).toBe('');
    expect(onlyGaps.stdout).toContain('::warning title=Portolan::portolan.sarif is not uploaded: coverage is incomplete');
  });

  test('baseline: the second run marks every finding unchanged', async () => {
    const ws = workspace('built');
    const first = await runAction({ workspace: ws, env: env(), inputs: { args: `--endpoint-url ${emulator.url}`, out: 'first' } });
    expectPassed(first);
    const second = await runAction({ workspace: ws, env: env(), inputs: { baseline: first.outputs['json-file']!, args: `--endpoint-url ${emulator.url}` } });
    expectPassed(second);
    const report = readReport(join(ws, second.outputs['json-file']!));
    expect(report.findings.length).toBeGreaterThan(0);
    expect(report.findings.map((f) => f.baselineState)).toEqual(report.findings.map(() => 'unchanged'));
    expect(report.fixed).toEqual([]);
  });

  test('a policy with a mistake fails the step at once with 2, file:line:col on stderr, no report and no file outputs', async () => {
    const ws = workspace('built');
    writeFileSync(join(ws, 'bad.yaml'), 'version: 1\nrules:\n  - id: x\n    title: X\n    severity: urgent\n    match: { protocol: tcp }\n');
    const run = await runAction({ workspace: ws, env: env(), inputs: { policy: 'bad.yaml', args: `--endpoint-url ${emulator.url}` } });
    expect(run.code).toBe(2);
    expect(run.failedStep).toBe('audit');
    expect(run.stderr).toMatch(/^bad\.yaml:5:15: rules\[0\]\.severity: "urgent" is not one of/m);
    expect(run.stdout).toContain('::error title=Portolan::portolan audit exited with 2');
    expect(run.outputs['exit-code']).toBe('2');
    expect(run.outputs['sarif-file']).toBe('');
    expect(run.outputs['findings']).toBe('');
    expect(existsSync(join(ws, 'reports'))).toBe(false);
  });

  test('a pack name that does not exist, or an unknown format, is a failed step with 2', async () => {
    const ws = workspace('built');
    const pack = await runAction({ workspace: ws, env: env(), inputs: { policy: 'basline', args: `--endpoint-url ${emulator.url}` } });
    expect([pack.code, pack.failedStep]).toEqual([2, 'audit']);
    expect(pack.stderr).toContain('"basline" is not a bundled pack');
    const format = await runAction({ workspace: ws, env: env(), inputs: { format: 'json,pdf', args: `--endpoint-url ${emulator.url}` } });
    expect([format.code, format.failedStep]).toEqual([2, 'audit']);
  });
});

describe('the action\'s own logic, with a stand-in portolan', () => {
  test('every input reaches portolan as one argument, verbatim: no expansion, globbing or injection', async () => {
    const ws = workspace('fake');
    const argv = join(ws, 'argv');
    const category = `prod $(touch pwned) \`touch pwned2\` "x" 'y' ; touch pwned3 *`;
    const run = await runAction({
      workspace: ws,
      env: env({ FAKE_ARGV: argv, FAKE_EXIT: '1' }),
      inputs: { 'policy': 'my policies/*.yaml', 'category': category, 'baseline': 'last run/portolan.json', 'fail-on': 'medium', 'args': '  --regions us-east-1,eu-west-1\n\t--endpoint-url http://127.0.0.1:1/$HOME  *  ' },
    });
    expectPassed(run);
    expect(readFileSync(argv, 'utf8').split('\0').slice(0, -1)).toEqual([
      'audit',
      '--policy=my policies/*.yaml',
      '--format=json,sarif,markdown',
      '--fail-on=medium',
      '--out=reports',
      `--category=${category}`,
      '--baseline=last run/portolan.json',
      '--regions', 'us-east-1,eu-west-1',
      '--endpoint-url', 'http://127.0.0.1:1/$HOME',
      '*',
    ]);
    expect(existsSync(join(ws, 'pwned'))).toBe(false);
    expect(existsSync(join(ws, 'pwned2'))).toBe(false);
    expect(existsSync(join(ws, 'pwned3'))).toBe(false);
    // Two of three findings are unsuppressed.
    expect(run.outputs['findings']).toBe('2');
  });

  test('an input with new lines cannot forge another output', async () => {
    const ws = workspace('fake');
    const run = await runAction({ workspace: ws, env: env({ FAKE_ARGV: join(ws, 'argv'), FAKE_EXIT: '0' }), inputs: { out: 'r\nexit-code=0\nfindings=0' } });
    expectPassed(run);
    expect(run.outputs['exit-code']).toBe('0');
    expect(run.outputs['findings']).toBe('2');
    expect(run.outputs['report-dir']).toBe('r\nexit-code=0\nfindings=0');
  });

  test.each([
    [0, '0'],
    [1, '1'],
    [3, '3'],
  ])('portolan exit %i: the step passes, exit-code %s', async (exit, output) => {
    const ws = workspace('fake');
    const run = await runAction({ workspace: ws, env: env({ FAKE_ARGV: join(ws, 'argv'), FAKE_EXIT: String(exit) }) });
    expectPassed(run);
    expect(run.outputs['exit-code']).toBe(output);
    expect(run.outputs['sarif-file']).toBe('reports/portolan.sarif');
    expect(run.outputs['sarif-upload']).toBe(exit === 3 ? '' : 'reports/portolan.sarif');
  });

  test('an organization: sarif-upload is a folder of the accounts read completely, and an earlier run\'s portolan.sarif is not taken for this run\'s', async () => {
    const ws = workspace('fake');
    const single = await runAction({ workspace: ws, env: env({ FAKE_ARGV: join(ws, 'argv'), FAKE_EXIT: '0' }) });
    expect(single.outputs['sarif-upload']).toBe('reports/portolan.sarif');
    await new Promise((resolve) => setTimeout(resolve, 20));
    const org = await runAction({
      workspace: ws,
      env: env({ FAKE_ARGV: join(ws, 'argv'), FAKE_EXIT: '3', FAKE_ACCOUNTS: '222222222222 333333333333', FAKE_UNREAD_ACCOUNT: '333333333333' }),
      inputs: { args: '--org' },
    });
    expectPassed(org);
    expect(org.outputs['sarif-file']).toBe('');
    expect(org.outputs['sarif-upload']).toBe('reports/sarif-upload');
    expect(readdirSync(join(ws, 'reports/sarif-upload'))).toEqual(['portolan-222222222222.sarif']);
    expect(org.stdout).toContain('::warning title=Portolan::portolan-333333333333.sarif is not uploaded: coverage is incomplete');
  });

  test('more than 20 accounts read completely: a failed step (2) pointing at the sharded workflow, never a green run that uploads nothing', async () => {
    const ws = workspace('fake');
    const accounts = Array.from({ length: 21 }, (_, i) => String(100000000000 + i)).join(' ');
    const run = await runAction({ workspace: ws, env: env({ FAKE_ARGV: join(ws, 'argv'), FAKE_EXIT: '0', FAKE_ACCOUNTS: accounts }), inputs: { args: '--org' } });
    expect([run.code, run.failedStep, run.outputs['exit-code']]).toEqual([2, 'audit', '2']);
    expect(run.outputs['sarif-upload']).toBe('');
    expect(run.stdout).toContain('::error title=Portolan::21 account SARIF files: GitHub takes at most 20 runs an upload');
  });

  test('a run that exits 0 without writing its reports fails (70), and reports an earlier run left are not taken for this run\'s', async () => {
    const ws = workspace('fake');
    const first = await runAction({ workspace: ws, env: env({ FAKE_ARGV: join(ws, 'argv'), FAKE_EXIT: '1' }) });
    expectPassed(first);
    const second = await runAction({ workspace: ws, env: env({ FAKE_ARGV: join(ws, 'argv'), FAKE_EXIT: '0', FAKE_WRITES: 'none' }) });
    expect([second.code, second.failedStep, second.outputs['exit-code']]).toEqual([70, 'audit', '70']);
    expect(second.stdout).toContain('::error title=Portolan::portolan exited with 0 without writing portolan.json');
    expect([second.outputs['findings'], second.outputs['json-file'], second.outputs['sarif-upload']]).toEqual(['', '', '']);
  });

  test.each([
    ['format text', { format: 'text' }, 'portolan.txt'],
    ['format md (read as markdown)', { format: 'md' }, 'portolan.md'],
  ])('%s: a run that wrote none of the reports asked for fails (70) instead of passing green on nothing', async (_label, inputs, file) => {
    const ws = workspace('fake');
    const run = await runAction({ workspace: ws, env: env({ FAKE_ARGV: join(ws, 'argv'), FAKE_EXIT: '0', FAKE_WRITES: 'none' }), inputs });
    expect([run.code, run.outputs['exit-code']]).toEqual([70, '70']);
    expect(run.stdout).toContain(`portolan exited with 0 without writing ${file}`);
  });

  test('format spelled as portolan reads it (new lines, capitals, md): the outputs still name the files', async () => {
    const ws = workspace('fake');
    const run = await runAction({ workspace: ws, env: env({ FAKE_ARGV: join(ws, 'argv'), FAKE_EXIT: '0' }), inputs: { format: 'JSON,\n md ,\nsarif' } });
    expectPassed(run);
    expect([run.outputs['json-file'], run.outputs['markdown-file'], run.outputs['sarif-upload']]).toEqual(['reports/portolan.json', 'reports/portolan.md', 'reports/portolan.sarif']);
    expect(run.outputs['findings']).toBe('2');
  });

  test('an input that looks like an option stays a value: --version as the category is no version request', async () => {
    const ws = workspace('fake');
    const argv = join(ws, 'argv');
    const run = await runAction({ workspace: ws, env: env({ FAKE_ARGV: argv, FAKE_EXIT: '0' }), inputs: { category: '--version', policy: '-V' } });
    expectPassed(run);
    const args = readFileSync(argv, 'utf8').split('\0');
    expect(args).toContain('--category=--version');
    expect(args).toContain('--policy=-V');
  });

  test.each(['-VV', '-h', '-Vx'])('short flags in args (%s) are refused: audit has none, and -V/-h print and audit nothing', async (flag) => {
    const ws = workspace('fake');
    const run = await runAction({ workspace: ws, env: env({ FAKE_ARGV: join(ws, 'argv'), FAKE_EXIT: '0' }), inputs: { args: `--input x.json ${flag}` } });
    expect([run.code, run.outputs['exit-code']]).toEqual([2, '2']);
    expect(run.stdout).toContain(`::error title=Portolan::args may not give ${flag}`);
  });

  test('a dangling link among the reports of an earlier run does not crash the step', async () => {
    const ws = workspace('fake');
    mkdirSync(join(ws, 'reports'));
    symlinkSync('/nonexistent/portolan-old.sarif', join(ws, 'reports/portolan-old.sarif'));
    const run = await runAction({ workspace: ws, env: env({ FAKE_ARGV: join(ws, 'argv'), FAKE_EXIT: '1' }) });
    expectPassed(run);
    expect(run.outputs['exit-code']).toBe('1');
  });

  test('an organization whose every account was skipped (exit 3) has no SARIF to write: a warning, exit-code 3, not an internal error', async () => {
    const ws = workspace('fake');
    const run = await runAction({ workspace: ws, env: env({ FAKE_ARGV: join(ws, 'argv'), FAKE_EXIT: '3', FAKE_ACCOUNTS: ' ' }), inputs: { args: '--org' } });
    expectPassed(run);
    expect(run.outputs['exit-code']).toBe('3');
    expect(run.outputs['sarif-upload']).toBe('');
    expect(run.stdout).toContain('::warning title=Portolan::no SARIF report: no account was audited');
  });

  test('an out input that looks like a node option is a path, never an option: no code runs', async () => {
    const ws = workspace('fake');
    writeFileSync(join(ws, 'evil.js'), `require('node:fs').writeFileSync(${JSON.stringify(join(ws, 'pwned'))}, 'x');\n`);
    await runAction({ workspace: ws, env: env({ FAKE_ARGV: join(ws, 'argv'), FAKE_EXIT: '0' }), inputs: { out: '--require=./evil.js' } });
    expect(existsSync(join(ws, 'pwned'))).toBe(false);
  });

  test.each([
    ['out "-"', { out: '-' }, 'out must name a folder'],
    ['--out in args', { args: '--input x.json --out elsewhere' }, 'args may not give --out: use the out input instead'],
    ['--format= in args', { args: '--format=text' }, 'args may not give --format: use the format input instead'],
    ['--help in args', { args: '--input x.json --help' }, 'args may not give --help: it prints and audits nothing'],
  ])('%s is refused with 2 before portolan runs, and exit-code says so', async (_label, inputs, message) => {
    const ws = workspace('fake');
    const argv = join(ws, 'argv');
    const run = await runAction({ workspace: ws, env: env({ FAKE_ARGV: argv, FAKE_EXIT: '0' }), inputs });
    expect([run.code, run.failedStep, run.outputs['exit-code']]).toEqual([2, 'audit', '2']);
    expect(run.stdout).toContain(`::error title=Portolan::${message}`);
    expect(existsSync(argv)).toBe(false);
  });

  test.each([2, 70, 130])('portolan exit %i: the step fails with that status at once, with an error annotation and no file outputs', async (exit) => {
    const ws = workspace('fake');
    const run = await runAction({ workspace: ws, env: env({ FAKE_ARGV: join(ws, 'argv'), FAKE_EXIT: String(exit) }) });
    expect(run.code).toBe(exit);
    expect(run.failedStep).toBe('audit');
    expect(run.stdout).toMatch(new RegExp(`^::error title=Portolan::portolan audit exited with ${exit}\\b`, 'm'));
    expect(run.outputs['exit-code']).toBe(String(exit));
    expect([run.outputs['sarif-file'], run.outputs['markdown-file'], run.outputs['findings']]).toEqual(['', '', '']);
  });

  test('without a portolan in working-directory, a version that is no npm version fails with 2 before npm runs', async () => {
    const ws = workspace('none');
    const runnerTemp = join(ws, '..', `temp-${counter}`);
    const run = await runAction({ workspace: ws, runnerTemp, env: env(), inputs: { version: '1.0.0 --registry=http://127.0.0.1:1/' } });
    expect([run.code, run.failedStep, run.outputs['exit-code']]).toEqual([2, 'portolan', '2']);
    expect(run.stdout).toContain('::error title=Portolan::version must be an npm version');
    expect(readdirSync(runnerTemp)).toEqual([]);
  });

  test('an install that fails is a failed step with 2 and says so, never npm\'s own 1 (the "findings" status)', async () => {
    const ws = workspace('none');
    const runnerTemp = join(ws, '..', `temp-${counter}`);
    // The runner's registry is a closed port on loopback: npm fails at once, offline.
    const run = await runAction({ workspace: ws, runnerTemp, env: env({ npm_config_fetch_retries: '0', npm_config_cache: join(runnerTemp, 'npm-cache') }), inputs: { version: '0.1.0' } });
    expect([run.code, run.failedStep, run.outputs['exit-code']]).toEqual([2, 'portolan', '2']);
    expect(run.stdout).toContain('::error title=Portolan::could not install portolan@0.1.0');
  });

  test('a working-directory that does not exist fails with 2', async () => {
    const ws = workspace('fake');
    const run = await runAction({ workspace: ws, env: env(), inputs: { 'working-directory': 'no/such/dir' } });
    expect([run.code, run.failedStep, run.outputs['exit-code']]).toEqual([2, 'portolan', '2']);
    expect(run.stdout).toContain('working-directory does not exist');
  });
});
