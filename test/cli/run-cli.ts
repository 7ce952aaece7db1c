// Runs the built CLI as a user would (`npm test` builds first), asynchronously
// so that an in-process emulator can answer it.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from '@jest/globals';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Node options before the script, e.g. ['--import', hook] to load a test hook. */
  nodeArgs?: string[];
  /** Written to the CLI's stdin, which is then closed. */
  stdin?: string;
}

/** Environment with dummy credentials and no way to reach AWS or a user's config. */
export function isolatedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NO_COLOR: '1',
    AWS_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  };
  return env;
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [...(options.nodeArgs ?? []), CLI, ...args],
      { cwd: options.cwd ?? REPO, env: options.env ?? isolatedEnv(), maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  });
}

/** The CLI as a child process, for tests that signal it or close its pipes. */
export function spawnCli(args: string[], options: CliOptions = {}): ChildProcess {
  return spawn(process.execPath, [...(options.nodeArgs ?? []), CLI, ...args], { cwd: options.cwd ?? REPO, env: options.env ?? isolatedEnv(), stdio: 'pipe' });
}

/** A test that expects a finding status (1) also proves it was no crash: no stack trace on stderr. */
export function expectNoStack(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(stderr).not.toMatch(/internal error/);
}

export interface ReportFinding {
  ruleId: string;
  severity: string;
  suppressed: boolean;
  baselineState?: string;
  instance: { name: string; region: string; arn?: string; accountId?: string; accountName?: string };
  portState: { protocol: string; fromPort: number | null; toPort: number | null; cidrs: string[]; ipv6Cidrs: string[]; cidrListAliases: string[] };
  message: string;
  fingerprint: string;
  remediation?: { command: string };
}

/** The JSON report, as the tests read it. */
export interface JsonReport {
  version: number;
  source: string;
  policy: { path: string };
  coverage: {
    regions: Array<{ name: string; status: string; accountId?: string; error?: { code: string; message: string } }>;
    accounts?: Array<{ id: string; name?: string; status: string; error?: { code: string; message: string }; instances: number; scanned: number; failed: number; gone: number }>;
    instances: number;
    scanned: number;
    failed: number;
    gone: number;
    complete: boolean;
    unread: Array<{ name: string; region: string; accountId?: string; status: string; error?: { code: string; message: string } }>;
  };
  summary: { bySeverity: Record<string, number>; suppressed: number };
  findings: ReportFinding[];
  fixed?: ReportFinding[];
  diagnostics: Array<{ level: string; code: string; message: string }>;
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

export function readReport(path: string): JsonReport {
  return readJson<JsonReport>(path);
}
