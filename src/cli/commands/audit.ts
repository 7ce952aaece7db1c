import { Command } from 'commander';
import type { CollectOptions } from '../../aws/collector.js';
import type { OrganizationCollectOptions } from '../../aws/organization-collector.js';
import { applyBaseline, type Baseline } from '../../core/baseline.js';
import { UserInputError } from '../../core/errors.js';
import { FleetAudit } from '../../core/evaluate.js';
import { EXIT, type AuditExitStatus } from '../../core/exit.js';
import { severityRank } from '../../core/order.js';
import type { AuditResult, ReportMeta, Severity } from '../../core/types.js';
import { SEVERITIES } from '../../core/types.js';
import { REPORT_FORMATS, reportFiles, type ReportFile, type ReportFormat } from '../../report/index.js';
import { formatSummary } from '../../report/text.js';
import { readBaselineFile } from '../baseline-file.js';
import { addCollectorOptions, addOrganizationOptions, collectOptionsFrom, liveCollectionFlagsGiven, organizationOptionsFrom } from '../collector-options.js';
import { interruption } from '../interrupt.js';
import { collectLive } from '../live.js';
import { collectValues, listFlag, redactUrl, textFlag } from '../flags.js';
import { readInputs } from '../inventory-inputs.js';
import { parseNow } from '../now.js';
import { stderr, stdout } from '../output.js';
import { loadPolicyArg } from '../policy-arg.js';
import { INFORMATION_URI, TOOL_VERSION } from '../version.js';
import { writeReports } from '../write-reports.js';

export type FailOn = Severity | 'none';

export interface AuditParams {
  /** `--policy`: a file, a bundled pack name, or `-` (stdin); absent = the baseline pack. */
  policy?: string;
  /** Offline inventory files or folders (`-` for stdin); empty = collect live. */
  inputPaths?: string[];
  collect?: CollectOptions;
  /** `--org`: every member account, through an audit role in each. */
  organization?: OrganizationCollectOptions;
  /** `--expect-accounts`: the accounts discovery listed; any an input lacks is a coverage gap. */
  expectAccountsPath?: string;
  formats: ReportFormat[];
  /** Report folder, or `-` for stdout (one format only). */
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
  exitCode: AuditExitStatus;
  written: string[];
  text: string;
}

/** Exit status of spec section 5: findings at or above fail-on win over incomplete coverage. */
export function auditExitCode(result: AuditResult, failOn: FailOn, failOnNew: boolean): AuditExitStatus {
  if (failOn !== 'none') {
    const limit = severityRank(failOn);
    const failing = result.findings.some((f) => !f.suppressed && severityRank(f.severity) <= limit && (!failOnNew || f.baselineState !== 'unchanged'));
    if (failing) return EXIT.findings;
  }
  return result.coverage.complete ? EXIT.clean : EXIT.incomplete;
}

interface FleetSource {
  source: string;
  portSource: 'port-states' | 'listing';
}

async function readFleet(p: AuditParams, audit: FleetAudit): Promise<FleetSource> {
  if (p.inputPaths && p.inputPaths.length > 0) {
    const read = await readInputs(p.inputPaths, audit, p.expectAccountsPath);
    return { source: read.source, portSource: read.portSource === 'listing' ? 'listing' : 'port-states' };
  }
  const inventory = await collectLive(p.collect ?? {}, p.organization);
  audit.addInventory(inventory);
  interruption().throwIfRequested();
  const where = p.collect?.endpointUrl !== undefined ? ` (${redactUrl(p.collect.endpointUrl)})` : '';
  return { source: `${p.organization ? 'live organization' : 'live'}${where}`, portSource: inventory.portSource === 'listing' ? 'listing' : 'port-states' };
}

export async function runAudit(p: AuditParams): Promise<AuditOutcome> {
  // Everything the user gave is checked before anything is collected or written.
  if (p.policy === '-' && p.inputPaths?.includes('-')) throw new UserInputError('--policy - and --input - cannot both read standard input');
  const policy = await loadPolicyArg(p.policy);
  if (p.outDir === '-' && p.formats.length !== 1) throw new UserInputError(`--out -: writes one format to stdout; --format names ${p.formats.length} (${p.formats.join(', ')})`);
  const baseline: Baseline | undefined = p.baselinePath !== undefined ? await readBaselineFile(p.baselinePath) : undefined;
  const now = p.now ?? new Date();

  const audit = new FleetAudit(policy, { now });
  const { source, portSource } = await readFleet(p, audit);
  let result = audit.finish();
  if (baseline) result = applyBaseline(result, baseline);

  const meta: ReportMeta = {
    generatedAt: now.toISOString(),
    toolName: 'portolan',
    toolVersion: TOOL_VERSION,
    informationUri: INFORMATION_URI,
    source,
    portSource,
    ...(p.category !== undefined ? { category: p.category } : {}),
  };
  const files = p.formats.flatMap((f) => reportFiles(f, result, meta));
  let written: string[] = [];
  if (p.outDir === '-') {
    if (files.length !== 1) throw new UserInputError(`--out -: this audit writes ${files.length} ${p.formats[0] ?? ''} files (one per account); name a folder instead`);
    const out = stdout();
    const content = (files[0] as ReportFile).content;
    if (typeof content === 'string') out.write(content);
    else for (const chunk of content) out.write(chunk);
  } else {
    written = writeReports(p.outDir, files);
  }
  const color = stdout().isTTY && !process.env['NO_COLOR'];
  const text = formatSummary(result, meta, { color: p.outDir !== '-' && color });
  return { result, exitCode: auditExitCode(result, p.failOn, p.failOnNew), written, text };
}

export function parseFormats(list: string): ReportFormat[] {
  const out: ReportFormat[] = [];
  for (const raw of list.split(',')) {
    const f = raw.trim().toLowerCase();
    if (!f) continue;
    const name = f === 'md' ? 'markdown' : f;
    if (!(REPORT_FORMATS as readonly string[]).includes(name)) {
      throw new UserInputError(`--format: unknown format ${JSON.stringify(raw.trim().slice(0, 40))} (use ${REPORT_FORMATS.join(', ')})`);
    }
    if (!out.includes(name as ReportFormat)) out.push(name as ReportFormat);
  }
  if (out.length === 0) throw new UserInputError('--format: give at least one format');
  return out;
}

export function parseFailOn(v: string): FailOn {
  const s = v.trim().toLowerCase();
  if (s === 'none' || (SEVERITIES as readonly string[]).includes(s)) return s as FailOn;
  throw new UserInputError(`--fail-on: ${JSON.stringify(v.slice(0, 40))} is not one of ${SEVERITIES.join(', ')}, none`);
}

/** The summary: on stdout, or on stderr when stdout carries the report data (`--out -`). */
export function printOutcome(o: AuditOutcome, quiet: boolean, dataOnStdout = false): void {
  if (quiet) return;
  const out = dataOnStdout ? stderr() : stdout();
  // The formatter escapes every untrusted value itself, so its own colours pass.
  out.write(o.text.endsWith('\n') ? o.text : `${o.text}\n`);
  if (o.written.length > 0) out.line(`Reports: ${o.written.join(', ')}`);
}

export function auditCommand(): Command {
  const cmd = new Command('audit')
    .description('Audit every Lightsail instance firewall against a policy and write reports (live, or from --input)')
    .option('--policy <file|pack>', 'policy file, bundled pack name (baseline, strict, example-team), or "-" for stdin (default: baseline)')
    .option('--input <inventory.json>', 'audit saved inventories instead of collecting live; repeat it, or name a folder (every *.json), to audit shards as one fleet; "-" reads stdin (default: collect live)', collectValues)
    .option('--format <list>', `report files to write, comma-separated: ${REPORT_FORMATS.join(', ')} (default: json,sarif,markdown)`)
    .option('--out <dir>', 'report folder, or "-" to write the one --format to stdout, the summary then going to stderr (default: reports)')
    .option('--fail-on <severity>', `exit 1 on an unsuppressed finding at or above this severity: ${SEVERITIES.join(', ')}, or none (default: high)`)
    .option('--now <iso-time>', 'evaluate exceptions as of this time, for reproducible reports; without a zone it is UTC (default: the real clock)')
    .option('--baseline <report.json>', 'a previous JSON report: mark findings new or unchanged and list fixed ones (default: none)')
    .option('--fail-on-new', 'with --baseline: fail only on findings the baseline did not fail on')
    .option('--category <name>', 'SARIF automationDetails category, one per account or fleet (default: portolan)');
  addCollectorOptions(cmd);
  addOrganizationOptions(cmd);
  cmd.option('--expect-accounts <accounts.json>', 'with --input: the `portolan accounts` output; an active account no input holds is reported as not read (a shard that failed), never left out (default: none)');
  cmd.action(async (opts: Record<string, unknown>) => {
    const params = auditParams(opts);
    const outcome = await runAudit(params);
    printOutcome(outcome, params.quiet, params.outDir === '-');
    process.exitCode = outcome.exitCode;
  });
  return cmd;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** With --input, flags that shape a live collection would do nothing, and a filter silently not applied reads as one that was. */
function refuseLiveOnlyFlags(opts: Record<string, unknown>): void {
  const given = liveCollectionFlagsGiven(opts);
  if (given.length > 0) {
    throw new UserInputError(`${given.join(', ')}: ${given.length === 1 ? 'shapes' : 'shape'} a live collection and would do nothing with --input (the inventory already says what was read); leave ${given.length === 1 ? 'it' : 'them'} out`);
  }
}

function auditParams(opts: Record<string, unknown>): AuditParams {
  const baselinePath = textFlag(opts, 'baseline', '--baseline');
  if (opts['failOnNew'] === true && baselinePath === undefined) throw new UserInputError('--fail-on-new needs --baseline');
  const inputPaths = listFlag(opts, 'input', '--input');
  const now = textFlag(opts, 'now', '--now');
  const category = textFlag(opts, 'category', '--category');
  const expectAccountsPath = textFlag(opts, 'expectAccounts', '--expect-accounts');
  if (expectAccountsPath !== undefined && inputPaths.length === 0) throw new UserInputError('--expect-accounts needs --input');
  if (inputPaths.length > 0 && opts['org'] === true) throw new UserInputError('--org collects live; with --input the inventories already say which accounts they hold');
  if (inputPaths.length > 0) refuseLiveOnlyFlags(opts);
  const collect = inputPaths.length > 0 ? undefined : collectOptionsFrom(opts);
  const organization = collect ? organizationOptionsFrom(opts, collect) : undefined;
  return {
    ...optional('policy', textFlag(opts, 'policy', '--policy')),
    ...(inputPaths.length > 0 ? { inputPaths } : {}),
    ...optional('collect', collect),
    ...optional('organization', organization),
    ...optional('expectAccountsPath', expectAccountsPath),
    formats: parseFormats(textFlag(opts, 'format', '--format') ?? 'json,sarif,markdown'),
    outDir: textFlag(opts, 'out', '--out') ?? 'reports',
    failOn: parseFailOn(textFlag(opts, 'failOn', '--fail-on') ?? 'high'),
    failOnNew: opts['failOnNew'] === true,
    ...(baselinePath !== undefined ? { baselinePath } : {}),
    ...(now !== undefined ? { now: parseNow(now) } : {}),
    ...(category !== undefined ? { category } : {}),
    quiet: opts['quiet'] === true,
  };
}
