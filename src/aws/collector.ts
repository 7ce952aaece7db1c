// The live collector: GetRegions, then for every selected region a GetInstances
// paging loop whose instances are handed to GetInstancePortStates as soon as
// their page arrives. It never decides what is "clean": anything it could not
// read is recorded as such (region or instance status `error`).

import {
  GetInstancePortStatesCommand,
  GetInstancesCommand,
  GetRegionsCommand,
  LightsailClient,
  type Instance,
} from '@aws-sdk/client-lightsail';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import { UserInputError } from '../core/errors.js';
import { codedError, errorInfo, isRecord, oneLine } from './errors.js';
import type { ErrorInfo, Inventory, InventoryInstance, InventoryRegion, RawPortState, Tag } from '../core/types.js';
import {
  CollectorRetryStrategy,
  createLightsailClient,
  credentialProvider,
  type RetryMode,
  type RetryPolicy,
} from './client.js';

export interface CollectOptions {
  /** --endpoint-url; else the SDK's own AWS_ENDPOINT_URL_LIGHTSAIL / AWS_ENDPOINT_URL handling applies. */
  endpointUrl?: string;
  /** Region asked for GetRegions; default AWS_REGION, AWS_DEFAULT_REGION, the profile's region, else us-east-1. */
  homeRegion?: string;
  /** Include only these regions (exact names). */
  regions?: string[];
  /** Skip these regions (exact names); applied after `regions`. */
  excludeRegions?: string[];
  /** Parallel GetInstancePortStates calls, shared by all regions. Default DEFAULT_CONCURRENCY. */
  concurrency?: number;
  /** Attempts per call, first one included. Default DEFAULT_MAX_ATTEMPTS. */
  maxAttempts?: number;
  /** Client-side pacing; default DEFAULT_RETRY_MODE. */
  retryMode?: RetryMode;
  profile?: string;
  roleArn?: string;
  externalId?: string;
  /** Injectable credentials (tests). */
  credentials?: AwsCredentialIdentityProvider;
  /** Backoff base for every retry, in ms (tests use a few ms). */
  retryDelayBaseMs?: number;
  /** Fine tuning of the retry policy (benchmarks); wins over retryDelayBaseMs. */
  retryPolicy?: Partial<Omit<RetryPolicy, 'maxAttempts' | 'mode'>>;
  /** Per-call timeout, ms (default 30 s); a timed-out call is retried like a dropped connection. */
  requestTimeoutMs?: number;
  onProgress?: (p: CollectProgress) => void;
  /** collectedAt clock, injectable. */
  now?: () => Date;
  /** Ctrl-C: stops the collection (queued reads are dropped, calls in flight aborted) and rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * `port-states` (default): GetInstancePortStates per instance, the effective
   * firewall, compared with the listing for drift. `listing`: the firewall as
   * GetInstances lists it (20 instances a call), no per-instance call.
   */
  portSource?: PortSource;
}

export type PortSource = 'port-states' | 'listing';

export interface CollectProgress {
  regionsTotal: number;
  regionsDone: number;
  instancesListed: number;
  /** Instances whose read finished: read, failed or gone. */
  instancesDone: number;
  instancesFailed: number;
  /** Every region's listing finished: instancesListed is final. */
  listingDone: boolean;
}

/**
 * 8 parallel reads: Lightsail publishes no request-rate quota, and 8 keeps a
 * large fleet (20k instances at ~100 ms a call: ~4 min) well ahead of one
 * call at a time without bursting hard into an account's shared API budget.
 * Throttling is absorbed by retries either way; raise it with --concurrency.
 */
export const DEFAULT_CONCURRENCY = 8;
/** Enough that a throttled account is slowed, not failed: with backoff capped at 20 s, 8 attempts ride out about a minute of throttling. */
export const DEFAULT_MAX_ATTEMPTS = 8;
/** Chosen by `npm run bench` (collector section): see the README "Collecting from AWS". */
export const DEFAULT_RETRY_MODE: RetryMode = 'standard';
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** A listing longer than this (about 200k instances at ~20 a page) is treated as a paging loop. */
export const MAX_PAGES = 10_000;

const DEFAULT_RETRY_POLICY: Omit<RetryPolicy, 'maxAttempts' | 'mode'> = {
  baseDelayMs: 50,
  maxDelayMs: 20_000,
  throttleBaseDelayMs: 50,
  throttleMaxDelayMs: 1_000,
  throttleBudgetMs: 5 * 60_000,
};

/** The collection could not start or could not learn anything: nothing was collected, no report may be written. */
export class CollectError extends UserInputError {
  /** The AWS error code behind it, when there was one (an organization records it on the account). */
  readonly code: string;
  constructor(message: string, code = 'CollectionFailed') {
    super(message);
    this.name = 'CollectError';
    this.code = code;
  }
}

export interface RegionSelection {
  /** Regions to read, in GetRegions order. */
  regions: string[];
  /** Regions the user included by name that GetRegions did not return, in the order given. */
  notOffered: string[];
}

export function selectRegions(offered: readonly string[], include?: readonly string[], exclude?: readonly string[]): RegionSelection {
  const excluded = new Set(exclude ?? []);
  const included = include && include.length > 0 ? new Set(include) : undefined;
  const regions = offered.filter((r) => (included ? included.has(r) : true) && !excluded.has(r));
  const offeredSet = new Set(offered);
  const notOffered = included ? [...included].filter((r) => !offeredSet.has(r) && !excluded.has(r)) : [];
  return { regions, notOffered };
}

/** The retry policy the options ask for (one per account: throttling is per account). */
export function buildRetryStrategy(options: Pick<CollectOptions, 'retryDelayBaseMs' | 'retryPolicy' | 'retryMode'>, maxAttempts: number): CollectorRetryStrategy {
  const base = options.retryDelayBaseMs;
  return new CollectorRetryStrategy({
    ...DEFAULT_RETRY_POLICY,
    ...(base !== undefined ? { baseDelayMs: base, throttleBaseDelayMs: base, throttleMaxDelayMs: base * 8 } : {}),
    ...options.retryPolicy,
    maxAttempts,
    mode: options.retryMode ?? DEFAULT_RETRY_MODE,
  });
}

export async function collectInventory(options: CollectOptions): Promise<Inventory> {
  const concurrency = positiveInt(options.concurrency ?? DEFAULT_CONCURRENCY, 'concurrency');
  const maxAttempts = positiveInt(options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS, 'maxAttempts');
  const requestTimeoutMs = positiveInt(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, 'requestTimeoutMs');
  const now = options.now ?? (() => new Date());
  const signal = options.signal;
  const portSource = options.portSource ?? 'port-states';
  // Every call in flight listens to the signal: far more than Node's default of 10.
  if (signal) setMaxListeners(0, signal);
  const collectedAt = now().toISOString().replace(/\.\d{3}Z$/, 'Z');

  const homeRegion = await resolveHomeRegion(options.homeRegion, options.profile);
  const credentials = credentialProvider({
    homeRegion,
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.profile !== undefined ? { profile: options.profile } : {}),
    ...(options.roleArn !== undefined ? { roleArn: options.roleArn } : {}),
    ...(options.externalId !== undefined ? { externalId: options.externalId } : {}),
  });
  try {
    await credentials();
  } catch (e) {
    throw new CollectError(credentialsMessage(e, options), errorInfo(e).code);
  }

  const retryStrategy = buildRetryStrategy(options, maxAttempts);
  const clients = new Map<string, LightsailClient>();
  const clientFor = (region: string): LightsailClient => {
    let client = clients.get(region);
    if (!client) {
      client = createLightsailClient({
        region,
        credentials,
        retryStrategy,
        maxAttempts,
        maxSockets: concurrency + 1,
        requestTimeoutMs,
        ...(options.endpointUrl !== undefined ? { endpointUrl: options.endpointUrl } : {}),
      });
      clients.set(region, client);
    }
    return client;
  };

  try {
    const offered = await listRegions(clientFor(homeRegion), homeRegion, signal);
    const selection = selectRegions(offered, options.regions, options.excludeRegions);
    if (selection.regions.length === 0 && selection.notOffered.length === 0) {
      throw new CollectError(`no region left to read: GetRegions offered ${offered.join(', ')} and every one was excluded; nothing was collected`, 'NoRegionSelected');
    }

    const progress: CollectProgress = {
      regionsTotal: selection.regions.length + selection.notOffered.length,
      regionsDone: selection.notOffered.length,
      instancesListed: 0,
      instancesDone: 0,
      instancesFailed: 0,
      listingDone: selection.regions.length === 0,
    };
    const report = (): void => options.onProgress?.({ ...progress });
    report();

    // One limiter for every port-state read in every region: the bound the user sets.
    // Listing stays outside it (one call in flight per region) so the next
    // page is never queued behind thousands of reads: that keeps the reads fed.
    const limit = pLimit({ concurrency, rejectOnClear: true });
    signal?.addEventListener(
      'abort',
      () => {
        limit.clearQueue();
      },
      { once: true },
    );
    let listingsLeft = selection.regions.length;

    const readRegion = async (region: string): Promise<{ region: InventoryRegion; instances: InventoryInstance[] }> => {
      const client = clientFor(region);
      const instances: InventoryInstance[] = [];
      const reads: Promise<void>[] = [];
      const names = new Set<string>();
      let regionError: ErrorInfo | undefined;
      try {
        await listInstances(client, (page) => {
          for (const raw of page) {
            const instance = pickInstance(raw, region, portSource);
            if (instance.name !== '' && names.has(instance.name)) continue; // repeated across pages
            names.add(instance.name);
            instances.push(instance);
            progress.instancesListed += 1;
            if (portSource === 'listing') {
              progress.instancesDone += 1;
              if (instance.status === 'error') progress.instancesFailed += 1;
              continue;
            }
            reads.push(
              limit(() => readPortStates(client, instance, signal)).then(() => {
                progress.instancesDone += 1;
                if (instance.status === 'error') progress.instancesFailed += 1;
                report();
              }),
            );
          }
          report();
        }, signal);
      } catch (e) {
        if (signal?.aborted) throw signal.reason;
        regionError = errorInfo(e);
      }
      listingsLeft -= 1;
      if (listingsLeft === 0) progress.listingDone = true;
      report();
      await Promise.all(reads);
      progress.regionsDone += 1;
      report();
      return {
        region: regionError ? { name: region, status: 'error', error: regionError } : { name: region, status: 'ok' },
        instances,
      };
    };

    const results = await Promise.all(selection.regions.map(readRegion)).catch((e: unknown) => {
      throw signal?.aborted ? signal.reason : e; // a cleared queue rejects with AbortError: the user stopped the run
    });
    const regions: InventoryRegion[] = results.map((r) => r.region);
    for (const name of selection.notOffered) {
      regions.push({
        name,
        status: 'error',
        error: {
          code: 'RegionNotOffered',
          message: `${name} is not among the regions GetRegions returned in ${homeRegion}; it was not read`,
        },
      });
    }
    const inventory: Inventory = { version: 1, collectedAt, regions, instances: results.flatMap((r) => r.instances) };
    if (portSource === 'listing') inventory.portSource = 'listing';
    return inventory;
  } finally {
    for (const client of clients.values()) client.destroy();
  }
}

/**
 * The regions GetRegions offers. An answer without a regions list, with an
 * entry that has no name, or with no region at all is not "nothing to read":
 * nothing could be learned, so nothing is collected (exit 2).
 */
async function listRegions(client: LightsailClient, homeRegion: string, signal: AbortSignal | undefined): Promise<string[]> {
  let regions: unknown;
  try {
    regions = (await client.send(new GetRegionsCommand({}), signal ? { abortSignal: signal } : {})).regions;
  } catch (e) {
    if (signal?.aborted) throw signal.reason;
    const err = errorInfo(e);
    throw new CollectError(`cannot list Lightsail regions (GetRegions in ${homeRegion}): ${err.code}: ${oneLine(err.message)}; nothing was collected`, err.code);
  }
  const malformed = (what: string): CollectError =>
    new CollectError(`cannot list Lightsail regions (GetRegions in ${homeRegion}): MalformedResponse: ${what}; nothing was collected`, 'MalformedResponse');
  if (!Array.isArray(regions)) throw malformed('the answer has no regions list');
  if (regions.length === 0) throw malformed('the answer lists no region');
  return regions.map((r: unknown, i) => {
    const name = isRecord(r) ? r['name'] : undefined;
    if (typeof name !== 'string' || name === '') throw malformed(`region ${i} has no name`);
    return name;
  });
}

/** GetInstances has no SDK paginator: loop on nextPageToken, refusing a token seen before (a loop, not a hang). */
export async function listInstances(client: LightsailClient, onPage: (instances: Instance[]) => void, signal?: AbortSignal): Promise<number> {
  const seen = new Set<string>();
  let pageToken: string | undefined;
  let pages = 0;
  for (;;) {
    const out = await client.send(new GetInstancesCommand(pageToken !== undefined ? { pageToken } : {}), signal ? { abortSignal: signal } : {});
    pages += 1;
    // An answer without the list it exists to return is not an empty region.
    const instances: unknown = out.instances;
    if (!Array.isArray(instances)) throw codedError('MalformedResponse', `GetInstances answered page ${pages} without an instances list`);
    const bad = instances.findIndex((i: unknown) => !isRecord(i));
    if (bad >= 0) throw codedError('MalformedResponse', `GetInstances page ${pages} has an entry (${bad}) that is not an instance object`);
    onPage(instances as Instance[]);
    const next: unknown = out.nextPageToken;
    if (next === undefined || next === null || next === '') return pages;
    if (typeof next !== 'string') throw codedError('MalformedResponse', `GetInstances page ${pages} has a page token that is not a string`);
    if (seen.has(next)) throw codedError('RepeatedPageToken', `GetInstances returned page token ${JSON.stringify(next)} twice; listing stopped after ${pages} pages`);
    if (pages >= MAX_PAGES) throw codedError('TooManyPages', `GetInstances still had more pages after ${MAX_PAGES}; listing stopped`);
    seen.add(next);
    pageToken = next;
  }
}

async function readPortStates(client: LightsailClient, instance: InventoryInstance, signal: AbortSignal | undefined): Promise<void> {
  if (instance.status === 'error') return; // unusable listing entry, already recorded
  try {
    const out = await client.send(new GetInstancePortStatesCommand({ instanceName: instance.name }), signal ? { abortSignal: signal } : {});
    const states: unknown = out.portStates;
    if (!Array.isArray(states)) {
      // An absent array is not "no open ports": recording [] would pass an unread instance as clean.
      setFailure(instance, { code: 'MalformedResponse', message: `GetInstancePortStates returned no portStates array for ${instance.name}` });
      return;
    }
    if (!states.every(isRecord)) {
      setFailure(instance, { code: 'MalformedResponse', message: `GetInstancePortStates returned a port state that is not an object for ${instance.name}` });
      return;
    }
    instance.portStates = states.map((s) => withoutUndefined(s) as RawPortState);
  } catch (e) {
    if (signal?.aborted) throw signal.reason;
    const err = errorInfo(e);
    if (err.code === 'NotFoundException') instance.status = 'gone';
    else setFailure(instance, err);
  }
}

function setFailure(instance: InventoryInstance, error: ErrorInfo): void {
  instance.status = 'error';
  instance.error = error;
}

/** The inventory fields of a listed instance, in a fixed order; absent fields stay absent. */
/**
 * The inventory fields of a listed instance, in a fixed order; absent fields
 * stay absent. The firewall as the listing shows it (`networking.ports`) is
 * kept raw as `listedPorts`: by default it is compared with the port states
 * (drift); with `--port-source listing` it is the port states.
 */
function pickInstance(raw: Instance, region: string, portSource: PortSource): InventoryInstance {
  const instance: InventoryInstance = { name: typeof raw.name === 'string' ? raw.name : '', region };
  if (typeof raw.arn === 'string') instance.arn = raw.arn;
  if (Array.isArray(raw.tags)) instance.tags = raw.tags.map((t) => withoutUndefined(t) as Tag);
  if (typeof raw.publicIpAddress === 'string') instance.publicIpAddress = raw.publicIpAddress;
  if (Array.isArray(raw.ipv6Addresses)) instance.ipv6Addresses = [...raw.ipv6Addresses];
  const listed: unknown = raw.networking?.ports;
  const listedOk = Array.isArray(listed) && listed.every(isRecord);
  if (listedOk) instance.listedPorts = (listed as unknown[]).map((p) => withoutUndefined(p) as RawPortState);
  if (instance.name === '') {
    setFailure(instance, { code: 'MalformedResponse', message: `GetInstances returned an instance without a name in ${region}` });
  } else if (portSource === 'listing') {
    // The listing is the only view read: without it, nothing of this instance's firewall is known.
    if (!instance.listedPorts) setFailure(instance, { code: 'MalformedResponse', message: `GetInstances listed ${instance.name} without a networking.ports list` });
    else instance.portStates = portStatesOfListing(instance.listedPorts);
  }
  return instance;
}

/** What the listing shows, as port states: each listed inbound entry is an open state. */
export function portStatesOfListing(listed: readonly RawPortState[]): RawPortState[] {
  return listed
    // Only an entry said to be outbound is left out: an unexpected direction is judged, never dropped (fail closed).
    .filter((p) => p['accessDirection'] !== 'outbound')
    .map((p) => {
      const state: RawPortState = { fromPort: p.fromPort, toPort: p.toPort, protocol: p.protocol, state: 'open' };
      if (p.cidrs !== undefined) state.cidrs = p.cidrs;
      if (p.ipv6Cidrs !== undefined) state.ipv6Cidrs = p.ipv6Cidrs;
      if (p.cidrListAliases !== undefined) state.cidrListAliases = p.cidrListAliases;
      return state;
    });
}

/** Below this depth a response value is kept as it is: the SDK's shapes are shallow, and an answer nested without end must not overflow the stack. */
const CLEAN_DEPTH = 32;

/** Drops keys whose value is undefined (the SDK adds them), recursively; everything else is kept as returned. */
function withoutUndefined(value: unknown, depth = 0): unknown {
  if (depth >= CLEAN_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => withoutUndefined(v, depth + 1));
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = withoutUndefined(v, depth + 1);
    return out;
  }
  return value;
}

export function positiveInt(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 1) throw new UserInputError(`${what} must be a whole number of at least 1, not ${value}`);
  return value;
}

export async function resolveHomeRegion(explicit: string | undefined, profile: string | undefined): Promise<string> {
  if (explicit) return explicit;
  const fromEnv = process.env['AWS_REGION'] || process.env['AWS_DEFAULT_REGION'];
  if (fromEnv) return fromEnv;
  // The profile's `region` setting, read the way the SDK reads it.
  const probe = new LightsailClient(profile !== undefined ? { profile } : {});
  try {
    const region = await probe.config.region();
    if (region) return region;
  } catch {
    // no region configured anywhere
  } finally {
    probe.destroy();
  }
  return 'us-east-1';
}

function credentialsMessage(e: unknown, o: CollectOptions): string {
  const detail = oneLine(errorInfo(e).message);
  if (o.roleArn !== undefined) return `cannot assume role ${o.roleArn}: ${detail}`;
  if (o.profile !== undefined) return `no AWS credentials for profile ${o.profile}: ${detail}`;
  return `no AWS credentials found (set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, use --profile, or run in an environment with a role): ${detail}`;
}

export { errorInfo } from './errors.js';
