// Runs action.yml's steps the way the GitHub runner runs a composite action:
// each `run:` step with `bash --noprofile --norc -eo pipefail`, its `env:`
// evaluated from the inputs (defaults filled in) and earlier steps' outputs,
// a fresh GITHUB_OUTPUT file per step, and the action's outputs evaluated at
// the end. Only the expressions the action may use are understood; anything
// else throws, so the action cannot quietly depend on runner features this
// does not reproduce.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const ACTION_DIR = fileURLToPath(new URL('../../', import.meta.url));
export const ACTION_FILE = join(ACTION_DIR, 'action.yml');

export interface ActionStep {
  id?: string;
  name?: string;
  shell?: string;
  run?: string;
  uses?: string;
  if?: string;
  env?: Record<string, string>;
  [key: string]: unknown;
}

export interface ActionSpec {
  name: string;
  description: string;
  inputs: Record<string, { description: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description: string; value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

export function loadAction(file = ACTION_FILE): ActionSpec {
  return parse(readFileSync(file, 'utf8')) as ActionSpec;
}

export interface ActionRunOptions {
  /** The step's starting folder: GITHUB_WORKSPACE. */
  workspace: string;
  /** RUNNER_TEMP; a fresh folder, removed afterwards, when not given. */
  runnerTemp?: string;
  /** `with:` of the calling workflow step. */
  inputs?: Record<string, string>;
  /** The job's environment (PATH, AWS variables...). */
  env?: NodeJS.ProcessEnv;
  /** Another action.yml (a deliberately broken copy, say). */
  actionFile?: string;
}

export interface ActionRun {
  /** 0 when every step passed, else the failing step's status. */
  code: number;
  /** The id (or name) of the step that failed. */
  failedStep?: string;
  /** The action's outputs, as the calling workflow sees them ('' when unset). */
  outputs: Record<string, string>;
  /** Each step's outputs, by step id. */
  steps: Record<string, Record<string, string>>;
  stdout: string;
  stderr: string;
  /** What the steps appended to GITHUB_STEP_SUMMARY. */
  summary: string;
}

/** GITHUB_OUTPUT's two forms: `name=value` and `name<<DELIMITER` ... `DELIMITER`. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string];
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]!);
      if (i >= lines.length) throw new Error(`GITHUB_OUTPUT: ${name} has no closing delimiter ${delimiter}`);
      out[name] = value.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new Error(`GITHUB_OUTPUT: a line that is neither name=value nor name<<DELIMITER: ${JSON.stringify(line)}`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

interface Context {
  inputs: Record<string, string>;
  steps: Record<string, Record<string, string>>;
  actionPath: string;
  runnerTemp: string;
}

/**
 * `${{ inputs.x }}`, `${{ steps.id.outputs.x }}`, `${{ github.action_path }}`, `${{ runner.temp }}`,
 * and `a || b` of those (the first that is not empty, as GitHub's `||` on strings); nothing else.
 */
export function evaluate(text: string, ctx: Context): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_all, expr: string) => {
    const alternatives = expr.split(/\s*\|\|\s*/);
    let value = '';
    for (const alternative of alternatives) if ((value = evaluateOne(alternative, ctx)) !== '') break;
    return value;
  });
}

function evaluateOne(expr: string, ctx: Context): string {
  let m = /^inputs\.([A-Za-z0-9_-]+)$/.exec(expr);
  if (m) {
    const name = m[1]!;
    if (!(name in ctx.inputs)) throw new Error(`expression ${expr}: the action declares no input ${name}`);
    return ctx.inputs[name]!;
  }
  m = /^steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)$/.exec(expr);
  if (m) return ctx.steps[m[1]!]?.[m[2]!] ?? '';
  if (expr === 'github.action_path') return ctx.actionPath;
  if (expr === 'runner.temp') return ctx.runnerTemp;
  throw new Error(`expression not understood by this runner: \${{ ${expr} }}`);
}

function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export async function runAction(options: ActionRunOptions): Promise<ActionRun> {
  const action = loadAction(options.actionFile);
  if (action.runs.using !== 'composite') throw new Error(`runs.using is ${action.runs.using}; this runner runs composite actions`);
  const given = options.inputs ?? {};
  for (const name of Object.keys(given)) if (!(name in action.inputs)) throw new Error(`input ${name} is not declared in action.yml`);
  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs)) {
    const value = given[name] ?? spec.default ?? '';
    if (spec.required === true && value === '') throw new Error(`input ${name} is required`);
    inputs[name] = value;
  }
  // The runner's own files live outside the workspace, as on GitHub.
  const work = mkdtempSync(join(tmpdir(), 'portolan-runner-'));
  const runnerTemp = options.runnerTemp ?? join(work, 'temp');
  mkdirSync(runnerTemp, { recursive: true });
  const summaryFile = join(work, 'step-summary.md');
  writeFileSync(summaryFile, '');
  const ctx: Context = { inputs, steps: {}, actionPath: ACTION_DIR, runnerTemp };
  const run: ActionRun = { code: 0, outputs: {}, steps: ctx.steps, stdout: '', stderr: '', summary: '' };

  for (const [index, step] of action.runs.steps.entries()) {
    const label = step.id ?? step.name ?? `step ${index + 1}`;
    const unsupported = Object.keys(step).filter((k) => !['id', 'name', 'shell', 'run', 'env'].includes(k));
    if (unsupported.length > 0 || step.run === undefined) throw new Error(`${label}: only run steps with id, name, shell, env are run here (found ${unsupported.join(', ') || 'no run'})`);
    if (step.shell !== 'bash') throw new Error(`${label}: shell ${String(step.shell)}, expected bash`);
    if (step.run.includes('${{')) throw new Error(`${label}: an expression inside run: (inputs must come through env:)`);
    const stepEnv: Record<string, string> = {};
    for (const [key, value] of Object.entries(step.env ?? {})) stepEnv[key] = evaluate(value, ctx);
    const outputFile = join(work, `output-${index}`);
    writeFileSync(outputFile, '');
    const scriptFile = join(work, `step-${index}.sh`);
    writeFileSync(scriptFile, step.run);
    const env: NodeJS.ProcessEnv = {
      // Safety net: a test that takes the install path by mistake reaches no registry.
      npm_config_registry: 'http://127.0.0.1:9/',
      ...options.env,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: options.workspace,
      GITHUB_ACTION_PATH: ACTION_DIR,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      RUNNER_TEMP: runnerTemp,
      ...stepEnv,
    };
    const result = await bash(scriptFile, options.workspace, env);
    run.stdout += result.stdout;
    run.stderr += result.stderr;
    if (step.id) ctx.steps[step.id] = parseOutputFile(readFileSync(outputFile, 'utf8'));
    if (result.code !== 0) {
      run.code = result.code;
      run.failedStep = label;
      break;
    }
  }
  for (const [name, spec] of Object.entries(action.outputs)) run.outputs[name] = evaluate(spec.value, ctx);
  run.summary = readFileSync(summaryFile, 'utf8');
  rmSync(work, { recursive: true, force: true });
  return run;
}
