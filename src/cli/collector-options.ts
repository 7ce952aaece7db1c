// The options every live-collecting command shares (collect, audit), and
// their validation: a bad value is a UserInputError before any call is made.

import { Option, type Command } from 'commander';
import type { CollectOptions } from '../aws/collector.js';
import { UserInputError } from '../core/errors.js';
import { createProgressReporter } from './progress.js';

export function addCollectorOptions(cmd: Command): Command {
  return cmd
    .option('--endpoint-url <url>', 'Lightsail endpoint (default: the SDK: AWS_ENDPOINT_URL_LIGHTSAIL, AWS_ENDPOINT_URL, else the regional AWS endpoint)')
    .option('--region <region>', 'home region asked for the region list (default: AWS_REGION, AWS_DEFAULT_REGION, the profile, else us-east-1)')
    .option('--regions <list>', 'only these regions, comma-separated; "!name" skips a region (e.g. "!ap-south-1")')
    .option('--exclude-regions <list>', 'skip these regions, comma-separated')
    .option('--concurrency <n>', 'parallel GetInstancePortStates calls across all regions (default 8)')
    .option('--max-attempts <n>', 'attempts per call for failures (5xx, timeouts, dropped connections), first included; throttling is retried apart, for up to 5 minutes (default 8)')
    .addOption(new Option('--retry-mode <mode>', 'standard, or adaptive (client-side rate limiting)').choices(['standard', 'adaptive']))
    .option('--profile <name>', 'AWS shared config profile')
    .option('--role-arn <arn>', 'assume this IAM role (session name portolan-audit)')
    .option('--external-id <id>', 'external id for --role-arn')
    .option('--quiet', 'no progress and no summary on stderr', false);
}

const REGION = /^[a-z]{2}(-[a-z0-9]+)+-\d+$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

function text(opts: Record<string, unknown>, key: string): string | undefined {
  const v = opts[key];
  return typeof v === 'string' ? v : undefined;
}

function integer(raw: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new UserInputError(`${flag}: "${raw}" is not a whole number from ${min} to ${max}`);
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
    if (!REGION.test(name)) throw new UserInputError(`${flag}: "${r}" is not a region name like us-east-1`);
    if (r.startsWith('!') && flag !== '--regions') throw new UserInputError(`${flag}: "${r}": list region names without "!"`);
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
      throw new UserInputError(`--endpoint-url: "${endpoint}" is not a URL (e.g. https://lightsail.us-east-1.amazonaws.com)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new UserInputError(`--endpoint-url: "${endpoint}" must be an http or https URL`);
    }
    out.endpointUrl = endpoint;
  }
  const home = text(opts, 'region');
  if (home !== undefined) {
    if (!REGION.test(home)) throw new UserInputError(`--region: "${home}" is not a region name like us-east-1`);
    out.homeRegion = home;
  }
  const include: string[] = [];
  const exclude: string[] = [];
  const regions = text(opts, 'regions');
  if (regions !== undefined) {
    for (const r of regionList(regions, '--regions')) (r.startsWith('!') ? exclude : include).push(r.replace(/^!/, ''));
  }
  const excluded = text(opts, 'excludeRegions');
  if (excluded !== undefined) exclude.push(...regionList(excluded, '--exclude-regions'));
  if (include.length > 0) out.regions = include;
  if (exclude.length > 0) out.excludeRegions = exclude;

  const concurrency = integer(text(opts, 'concurrency'), '--concurrency', 1, 256);
  if (concurrency !== undefined) out.concurrency = concurrency;
  const maxAttempts = integer(text(opts, 'maxAttempts'), '--max-attempts', 1, 100);
  if (maxAttempts !== undefined) out.maxAttempts = maxAttempts;
  const retryMode = text(opts, 'retryMode');
  if (retryMode !== undefined) {
    if (retryMode !== 'standard' && retryMode !== 'adaptive') throw new UserInputError(`--retry-mode: "${retryMode}" is not standard or adaptive`);
    out.retryMode = retryMode;
  }

  const profile = text(opts, 'profile');
  if (profile !== undefined) out.profile = profile;
  const roleArn = text(opts, 'roleArn');
  if (roleArn !== undefined) {
    if (!ROLE_ARN.test(roleArn)) throw new UserInputError(`--role-arn: "${roleArn}" is not an IAM role ARN like arn:aws:iam::111122223333:role/Auditor`);
    out.roleArn = roleArn;
  }
  const externalId = text(opts, 'externalId');
  if (externalId !== undefined) {
    if (roleArn === undefined) throw new UserInputError('--external-id needs --role-arn');
    out.externalId = externalId;
  }
  if (!opts['quiet']) out.onProgress = createProgressReporter(process.stderr);
  return out;
}
