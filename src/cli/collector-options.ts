// The options every live-collecting command shares (collect, audit), and
// their validation: a bad value is a UserInputError before any call is made.

import { Command, Option } from 'commander';
import type { CollectOptions } from '../aws/collector.js';
import { DEFAULT_ACCOUNT_CONCURRENCY, DEFAULT_ROLE_NAME } from '../aws/operations.js';
import type { AccountSelection, OrganizationCollectOptions } from '../aws/organization-collector.js';
import { isAccountId } from '../core/account-state.js';
import { UserInputError } from '../core/errors.js';
import { quote } from '../core/text.js';
import { collectValues, listFlag, redactUrl, textFlag } from './flags.js';
import { interruption } from './interrupt.js';
import { stderr } from './output.js';
import { createProgressReporter } from './progress.js';

export function addCollectorOptions(cmd: Command): Command {
  return cmd
    .option('--region <list>', 'audit only these regions, comma-separated; "!name" skips one, e.g. "us-east-1,eu-west-1" or "!ap-south-1" (default: every region GetRegions returns)')
    .addOption(new Option('--regions <list>', 'the same as --region').hideHelp())
    .option('--exclude-regions <list>', 'skip these regions, comma-separated (default: none)')
    .option('--home-region <region>', 'the region asked for the region list (default: AWS_REGION, else AWS_DEFAULT_REGION, else the profile\'s region, else us-east-1)')
    .option('--endpoint-url <url>', 'send every Lightsail call to this endpoint, e.g. the local emulator (default: the SDK\'s AWS_ENDPOINT_URL_LIGHTSAIL or AWS_ENDPOINT_URL, else AWS)')
    .option('--concurrency <n>', 'GetInstancePortStates calls in flight across all regions (default: 8)')
    .option('--max-attempts <n>', 'attempts per call for failures (5xx, timeouts, dropped connections), the first included; throttling is retried apart, for up to 5 minutes (default: 8)')
    .option('--retry-mode <mode>', 'standard, or adaptive (client-side rate limiting) (default: standard)')
    .option('--profile <name>', 'AWS shared config profile (default: the SDK\'s credential chain)')
    .option('--role-arn <arn>', 'assume this IAM role first, session name portolan-audit (default: none)')
    .option('--external-id <id>', 'external id for --role-arn (default: none)')
    .option('--port-source <source>', 'port-states: GetInstancePortStates for every instance, the effective firewall, checked against the listing; listing: only the firewall GetInstances lists, 20 instances a call, for fleets where the call budget matters (default: port-states)')
    .option('--quiet', 'print no progress and no summary; errors still go to stderr');
}

const REGION = /^[a-z]{2}(-[a-z0-9]+)+-\d+$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

function text(opts: Record<string, unknown>, key: string): string | undefined {
  return textFlag(opts, key, `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`);
}

function integer(raw: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new UserInputError(`${flag}: ${quote(raw)} is not a whole number from ${min} to ${max}`);
  return n;
}

function regionList(raw: string, flag: string): string[] {
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (list.length === 0) throw new UserInputError(`${flag}: give at least one region`);
  for (const r of list) {
    const name = r.startsWith('!') ? r.slice(1) : r;
    if (!REGION.test(name)) throw new UserInputError(`${flag}: ${quote(r)} is not a region name like us-east-1`);
    if (r.startsWith('!') && flag === '--exclude-regions') throw new UserInputError(`${flag}: ${quote(r)}: list region names without "!"`);
  }
  return list;
}

/** Validated CollectOptions from commander's parsed options; progress goes to stderr unless --quiet. */
export function collectOptionsFrom(opts: Record<string, unknown>): CollectOptions {
  const out: CollectOptions = {};
  const endpoint = text(opts, 'endpointUrl');
  if (endpoint !== undefined) {
    let url: URL;
    try {
      url = new URL(endpoint);
    } catch {
      throw new UserInputError(`--endpoint-url: the value is not a URL (e.g. https://lightsail.us-east-1.amazonaws.com)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new UserInputError(`--endpoint-url: ${redactUrl(endpoint)} must be an http or https URL`);
    }
    out.endpointUrl = endpoint;
  }
  const home = text(opts, 'homeRegion');
  if (home !== undefined) {
    if (!REGION.test(home)) throw new UserInputError(`--home-region: ${quote(home)} is not a region name like us-east-1`);
    out.homeRegion = home;
  }
  const include: string[] = [];
  const exclude: string[] = [];
  for (const [key, flag] of [['region', '--region'], ['regions', '--regions']] as const) {
    const regions = text(opts, key);
    if (regions === undefined) continue;
    for (const r of regionList(regions, flag)) (r.startsWith('!') ? exclude : include).push(r.replace(/^!/, ''));
  }
  const excluded = text(opts, 'excludeRegions');
  if (excluded !== undefined) exclude.push(...regionList(excluded, '--exclude-regions'));
  if (include.length > 0 && include.every((r) => exclude.includes(r))) {
    throw new UserInputError(`--regions/--exclude-regions: every region named is also excluded (${include.join(', ')}); nothing would be audited`);
  }
  if (include.length > 0) out.regions = include;
  if (exclude.length > 0) out.excludeRegions = exclude;

  const concurrency = integer(text(opts, 'concurrency'), '--concurrency', 1, 256);
  if (concurrency !== undefined) out.concurrency = concurrency;
  const maxAttempts = integer(text(opts, 'maxAttempts'), '--max-attempts', 1, 100);
  if (maxAttempts !== undefined) out.maxAttempts = maxAttempts;
  const retryMode = text(opts, 'retryMode');
  if (retryMode !== undefined) {
    if (retryMode !== 'standard' && retryMode !== 'adaptive') throw new UserInputError(`--retry-mode: ${quote(retryMode)} is not standard or adaptive`);
    out.retryMode = retryMode;
  }

  const profile = text(opts, 'profile');
  if (profile !== undefined) out.profile = profile;
  const roleArn = text(opts, 'roleArn');
  if (roleArn !== undefined) {
    if (!ROLE_ARN.test(roleArn)) throw new UserInputError(`--role-arn: ${quote(roleArn)} is not an IAM role ARN like arn:aws:iam::111122223333:role/Auditor`);
    out.roleArn = roleArn;
  }
  const externalId = text(opts, 'externalId');
  if (externalId !== undefined) {
    if (roleArn === undefined && opts['org'] !== true) throw new UserInputError('--external-id needs --role-arn or --org');
    if (opts['org'] !== true) out.externalId = externalId;
  }
  const portSource = text(opts, 'portSource');
  if (portSource !== undefined) {
    if (portSource !== 'port-states' && portSource !== 'listing') throw new UserInputError(`--port-source: ${quote(portSource)} is not port-states or listing`);
    out.portSource = portSource;
  }
  if (!opts['quiet']) out.onProgress = createProgressReporter(stderr());
  out.signal = interruption().signal;
  return out;
}

/** The flags that pick an organization's accounts (`accounts`, and `collect`/`audit --org`). */
export function addAccountSelectionOptions(cmd: Command): Command {
  return cmd
    .option('--ou <id>', 'only accounts under this organizational unit (or root), recursively; repeat it for more (default: the whole organization)', collectValues)
    .option('--accounts <ids>', 'exactly these account ids, comma-separated; without --ou, Organizations is not called at all (default: discover)')
    .option('--exclude-accounts <ids>', 'skip these account ids, comma-separated; they are listed as skipped (default: none)');
}

/** `collect`/`audit`: `--org` and what it takes besides the collector's flags. */
export function addOrganizationOptions(cmd: Command): Command {
  return addAccountSelectionOptions(
    cmd
      .option('--org', 'audit every member account of the AWS Organization, assuming an audit role in each (see README: auditing an organization)')
      .option(`--role-name <name>`, `with --org: the audit role in each member account (default: ${DEFAULT_ROLE_NAME})`)
      .option('--account-concurrency <n>', `with --org: accounts collected at once; --concurrency stays per account (default: ${DEFAULT_ACCOUNT_CONCURRENCY})`),
  );
}

/** How to run, not what to read: the collector flags that are not live-only. */
const RUN_FLAGS: ReadonlySet<string> = new Set(['quiet', 'org']);

/**
 * The flags given in `opts` that shape a live collection, read off the very
 * options addCollectorOptions and addOrganizationOptions define, so a flag
 * added there is covered here too.
 */
export function liveCollectionFlagsGiven(opts: Record<string, unknown>): string[] {
  const defined = addOrganizationOptions(addCollectorOptions(new Command())).options;
  return defined.filter((o) => !RUN_FLAGS.has(o.attributeName()) && opts[o.attributeName()] !== undefined).map((o) => o.long ?? o.flags);
}

const UNIT_ID = /^(?:ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

function accountIds(raw: string | undefined, flag: string): string[] | undefined {
  if (raw === undefined) return undefined;
  const ids = raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (ids.length === 0) throw new UserInputError(`${flag}: give at least one account id`);
  for (const id of ids) if (!isAccountId(id)) throw new UserInputError(`${flag}: ${quote(id)} is not a 12-digit account id`);
  return [...new Set(ids)];
}

/** Which accounts: --ou, --accounts, --exclude-accounts, validated. */
export function accountSelectionFrom(opts: Record<string, unknown>): AccountSelection {
  const ous = listFlag(opts, 'ou', '--ou');
  for (const ou of ous) if (!UNIT_ID.test(ou)) throw new UserInputError(`--ou: ${quote(ou)} is not an organizational unit id (ou-xxxx-xxxxxxxx) or a root id (r-xxxx)`);
  const accounts = accountIds(text(opts, 'accounts'), '--accounts');
  const excludeAccounts = accountIds(text(opts, 'excludeAccounts'), '--exclude-accounts');
  return { ...(ous.length > 0 ? { ous } : {}), ...(accounts ? { accounts } : {}), ...(excludeAccounts ? { excludeAccounts } : {}) };
}

/** OrganizationCollectOptions from the flags when --org is given; undefined (and no org flag allowed) otherwise. */
export function organizationOptionsFrom(opts: Record<string, unknown>, collect: CollectOptions): OrganizationCollectOptions | undefined {
  const orgOnly = ['roleName', 'accountConcurrency', 'ou', 'accounts', 'excludeAccounts'].filter((k) => opts[k] !== undefined);
  if (opts['org'] !== true) {
    const first = orgOnly[0];
    if (first !== undefined) throw new UserInputError(`--${first.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --org`);
    return undefined;
  }
  const { roleArn, externalId: _callerExternalId, onProgress, ...rest } = collect;
  const out: OrganizationCollectOptions = { ...rest, ...accountSelectionFrom(opts) };
  if (roleArn !== undefined) out.callerRoleArn = roleArn;
  const roleName = text(opts, 'roleName');
  if (roleName !== undefined) {
    if (!ROLE_NAME.test(roleName)) throw new UserInputError(`--role-name: ${quote(roleName)} is not an IAM role name`);
    out.roleName = roleName;
  }
  const externalId = text(opts, 'externalId');
  if (externalId !== undefined) out.externalId = externalId;
  const accountConcurrency = integer(text(opts, 'accountConcurrency'), '--account-concurrency', 1, 64);
  if (accountConcurrency !== undefined) out.accountConcurrency = accountConcurrency;
  if (onProgress) out.onProgress = onProgress;
  return out;
}
