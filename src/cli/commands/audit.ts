import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { applyBaseline, readBaselineReport } from '../../core/baseline.js';
import { UserInputError } from '../../core/errors.js';
import { evaluate } from '../../core/evaluate.js';
import { severityRank } from '../../core/order.js';
import type { AuditResult, Inventory, ReportMeta, Severity } from '../../core/types.js';
import { SEVERITIES } from '../../core/types.js';
import type { CollectOptions } from '../../aws/collector.js';
import { readInventoryFile } from '../inventory-file.js';
import { loadPolicy } from '../../policy/load.js';
import { formatReport, REPORT_FORMATS, reportFileName, type ReportFormat } from '../../report/index.js';
import { formatText } from '../../report/text.js';
import { addCollectorOptions, collectOptionsFrom } from '../collector-options.js';
import { parseNow } from '../now.js';
import { INFORMATION_URI, TOOL_VERSION } from '../version.js';
import { writeReports } from '../write-reports.js';
import { defaultPolicyPath } from '../paths.js';

export type FailOn = Severity | 'none';

export interface AuditParams {
  policyPath: string;
  /** Offline inventory file; absent = collect live. */
  inputPath?: string;
  collect?: CollectOptions;
  formats: ReportFormat[];
  outDir: string;
  failOn: FailOn;
  failOnNew: boolean;
  baselinePath?: string;
  now?: Date;
  category?: string;
  quiet: boolean;
}

export interface AuditOutcome {
  result: AuditResult;
  exitCode: 0 | 1 | 3;
  written: string[];
  text: string;
}

/** Exit status of spec section 5: findings at or above fail-on win over incomplete coverage. */
export function auditExitCode(result: AuditResult, failOn: FailOn, failOnNew: boolean): 0 | 1 | 3 {
  if (failOn !== 'none') {
    const limit = severityRank(failOn);
    const failing = result.findings.some(
      (f) => !f.suppressed && severityRank(f.severity) <= limit && (!failOnNew || f.baselineState !== 'unchanged'),
    );
    if (failing) return 1;
  }
  return result.coverage.complete ? 0 : 3;
}

function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UserInputError(`${path}: cannot read ${what}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UserInputError(`${path}: ${what} is not valid JSON: ${(e as Error).message}`);
  }
}

export async function runAudit(p: AuditParams): Promise<AuditOutcome> {
  // Everything the user gave is checked before anything is collected or written.
  const policy = loadPolicy(p.policyPath);
  const baseline = p.baselinePath ? readBaselineReport(readJsonFile(p.baselinePath, 'the baseline report')) : undefined;
  const now = p.now ?? new Date();

  let inventory: Inventory;
  let source: string;
  if (p.inputPath) {
    inventory = readInventoryFile(p.inputPath).inventory;
    source = p.inputPath;
  } else {
    // The AWS SDK loads only for live audits: an offline run starts faster.
    const { collectInventory } = await import('../../aws/collector.js');
    inventory = await collectInventory(p.collect ?? {});
    source = p.collect?.endpointUrl ? `live (${p.collect.endpointUrl})` : 'live';
  }

  let result = evaluate(policy, inventory, { now });
  if (baseline) result = applyBaseline(result, baseline);

  const meta: ReportMeta = {
    generatedAt: now.toISOString(),
    toolName: 'portolan',
    toolVersion: TOOL_VERSION,
    informationUri: INFORMATION_URI,
    source,
    ...(p.category ? { category: p.category } : {}),
  };
  const written = writeReports(
    p.outDir,
    p.formats.map((f) => ({ name: reportFileName(f), content: formatReport(f, result, meta) })),
  );
  const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  const text = formatText(result, meta, { color });
  return { result, exitCode: auditExitCode(result, p.failOn, p.failOnNew), written, text };
}

export function parseFormats(list: string): ReportFormat[] {
  const out: ReportFormat[] = [];
  for (const raw of list.split(',')) {
    const f = raw.trim().toLowerCase();
    if (!f) continue;
    const name = f === 'md' ? 'markdown' : f;
    if (!(REPORT_FORMATS as readonly string[]).includes(name)) {
      throw new UserInputError(`--format: unknown format "${raw.trim()}" (use ${REPORT_FORMATS.join(', ')})`);
    }
    if (!out.includes(name as ReportFormat)) out.push(name as ReportFormat);
  }
  if (out.length === 0) throw new UserInputError('--format: give at least one format');
  return out;
}

export function parseFailOn(v: string): FailOn {
  const s = v.trim().toLowerCase();
  if (s === 'none' || (SEVERITIES as readonly string[]).includes(s)) return s as FailOn;
  throw new UserInputError(`--fail-on: "${v}" is not one of ${SEVERITIES.join(', ')}, none`);
}

export function printOutcome(o: AuditOutcome, quiet: boolean): void {
  if (!quiet) {
    process.stdout.write(o.text.endsWith('\n') ? o.text : `${o.text}\n`);
    if (o.written.length > 0) process.stdout.write(`Reports: ${o.written.join(', ')}\n`);
  }
}

export function auditCommand(): Command {
  const cmd = new Command('audit')
    .description('Audit every Lightsail instance firewall against a policy and write reports (live, or from --input)')
    .option('--policy <file>', 'policy file (default: the bundled baseline pack)')
    .option('--input <inventory.json>', 'audit a saved inventory instead of collecting live')
    .option('--format <list>', `report files to write, comma-separated: ${REPORT_FORMATS.join(', ')}`, 'json,sarif,markdown')
    .option('--out <dir>', 'report folder', 'reports')
    .addOption(new Option('--fail-on <severity>', 'exit 1 on unsuppressed findings at or above this severity, or none').default('high'))
    .option('--now <iso-time>', 'evaluate exceptions as of this time (reproducible reports); without a zone it is UTC')
    .option('--baseline <report.json>', 'a previous JSON report: mark findings new or unchanged and list fixed ones')
    .option('--fail-on-new', 'with --baseline: fail only on new findings', false)
    .option('--category <name>', 'SARIF automationDetails category, e.g. one per account', undefined);
  addCollectorOptions(cmd);
  cmd.action(async (opts: Record<string, unknown>) => {
    if (opts.failOnNew && !opts.baseline) throw new UserInputError('--fail-on-new needs --baseline');
    const outcome = await runAudit({
      policyPath: (opts.policy as string | undefined) ?? defaultPolicyPath(),
      ...(opts.input ? { inputPath: opts.input as string } : { collect: collectOptionsFrom(opts) }),
      formats: parseFormats(opts.format as string),
      outDir: opts.out as string,
      failOn: parseFailOn(opts.failOn as string),
      failOnNew: Boolean(opts.failOnNew),
      ...(opts.baseline ? { baselinePath: opts.baseline as string } : {}),
      ...(opts.now ? { now: parseNow(opts.now as string) } : {}),
      ...(opts.category ? { category: opts.category as string } : {}),
      quiet: Boolean(opts.quiet),
    });
    printOutcome(outcome, Boolean(opts.quiet));
    process.exitCode = outcome.exitCode;
  });
  return cmd;
}
