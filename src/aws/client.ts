// Building Lightsail clients for the collector: read-only guard, retry policy
// tuned for throttled accounts, credentials. No calls are made here.

import { LightsailClient, type LightsailClientConfig } from '@aws-sdk/client-lightsail';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient, type STSClientConfig } from '@aws-sdk/client-sts';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { DefaultRateLimiter } from '@smithy/core/retry';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  RetryErrorInfo,
  RetryStrategyV2,
  StandardRetryToken,
} from '@smithy/types';
import { isOrganizationsOperation, isReadOperation, isStsOperation } from './operations.js';

/** Thrown before anything is sent when code tries a non-read operation. */
export class ReadOnlyViolationError extends Error {
  readonly operation: string;
  constructor(operation: string) {
    super(`refusing to call ${operation}: Portolan only calls read operations`);
    this.name = 'ReadOnlyViolationError';
    this.operation = operation;
  }
}

/** Any SDK v3 client: what the guard needs of it. */
interface GuardableClient {
  middlewareStack: {
    add(
      middleware: (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string; priority: 'high'; override: boolean },
    ): void;
  };
}

/**
 * Adds a guard at the very first middleware step: any command whose operation
 * is not allowed throws before it is serialized, signed or sent.
 */
export function guardOperations<C>(client: C, allowed: (operation: string) => boolean, service: string): C {
  (client as GuardableClient).middlewareStack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? '').replace(/Command$/, '');
      if (!allowed(operation)) throw new ReadOnlyViolationError(`${service} ${operation || 'an unnamed command'}`);
      return next(args);
    },
    { step: 'initialize', name: 'portolanReadOnlyGuard', priority: 'high', override: true },
  );
  return client;
}

/** Only READ_OPERATIONS reach Lightsail. */
export function guardReadOnly<C extends LightsailClient>(client: C): C {
  return guardOperations(client, isReadOperation, 'Lightsail');
}

// ---------------------------------------------------------------- retries

export type RetryMode = 'standard' | 'adaptive';

export interface RetryPolicy {
  /** Attempts per call for failures (5xx, timeouts, dropped connections), the first one included. */
  maxAttempts: number;
  mode: RetryMode;
  /** Backoff base for failures: random * min(base * 2^n, maxDelayMs). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Backoff base for throttling: random * min(base * 2^n, throttleMaxDelayMs). */
  throttleBaseDelayMs: number;
  throttleMaxDelayMs: number;
  /** How long one call may keep being throttled before it is recorded as failed. */
  throttleBudgetMs: number;
  /** Adaptive mode: how far the send rate drops on a throttle (SDK default 0.7). */
  rateLimiterBeta?: number;
}

class RetryToken implements StandardRetryToken {
  constructor(
    /** Retries so far (all kinds): the SDK reports it as attempts - 1. */
    private readonly count: number,
    private readonly delayMs: number,
    readonly failures: number,
    readonly firstThrottleAt: number | undefined,
  ) {}
  getRetryCount(): number {
    return this.count;
  }
  getRetryDelay(): number {
    return this.delayMs;
  }
  getRetryCost(): number | undefined {
    return undefined;
  }
}

/**
 * Exponential backoff with full jitter, like the SDK's standard mode, with
 * two changes for an auditor, which is a batch job where a throttled account
 * must be slowed, not failed:
 * - no retry-capacity circuit breaker: the SDK stops retrying once a shared
 *   bucket of 500 "retry tokens" runs dry, which on a large fleet turns
 *   slowness into lost instances;
 * - throttling does not use up `maxAttempts`: a throttled call keeps trying,
 *   with a short capped backoff (so a call retried many times is not starved
 *   by fresh ones), until it has been throttled for `throttleBudgetMs`.
 *   The concurrency limit already bounds the load that retries can add.
 * In `adaptive` mode the SDK's CUBIC client-side rate limiter, shared by all
 * regions, also paces every send.
 */
export class CollectorRetryStrategy implements RetryStrategyV2 {
  readonly mode: RetryMode;
  private readonly rateLimiter: DefaultRateLimiter | undefined;

  constructor(
    private readonly policy: RetryPolicy,
    private readonly random: () => number = Math.random,
    private readonly clock: () => number = Date.now,
  ) {
    this.mode = policy.mode;
    this.rateLimiter =
      policy.mode === 'adaptive'
        ? new DefaultRateLimiter(policy.rateLimiterBeta !== undefined ? { beta: policy.rateLimiterBeta } : {})
        : undefined;
  }

  async acquireInitialRetryToken(_scope?: string): Promise<StandardRetryToken> {
    if (this.rateLimiter) await this.rateLimiter.getSendToken();
    return new RetryToken(0, 0, 0, undefined);
  }

  async refreshRetryTokenForRetry(token: StandardRetryToken, errorInfo: RetryErrorInfo): Promise<StandardRetryToken> {
    this.rateLimiter?.updateClientSendingRate(errorInfo);
    const prev = token instanceof RetryToken ? token : new RetryToken(token.getRetryCount(), 0, token.getRetryCount(), undefined);
    const p = this.policy;
    let delay: number;
    let failures = prev.failures;
    let firstThrottleAt = prev.firstThrottleAt;
    if (errorInfo.errorType === 'THROTTLING') {
      const now = this.clock();
      firstThrottleAt ??= now;
      if (now - firstThrottleAt >= p.throttleBudgetMs) throw new Error('throttled for too long');
      delay = this.random() * Math.min(p.throttleBaseDelayMs * 2 ** prev.getRetryCount(), p.throttleMaxDelayMs);
    } else if (errorInfo.errorType === 'TRANSIENT') {
      failures += 1;
      if (failures >= p.maxAttempts) throw new Error('no retry token available');
      delay = this.random() * Math.min(p.baseDelayMs * 2 ** (failures - 1), p.maxDelayMs);
    } else {
      throw new Error('not retryable');
    }
    delay = Math.floor(delay);
    if (errorInfo.retryAfterHint instanceof Date) {
      const hinted = errorInfo.retryAfterHint.getTime() - this.clock();
      delay = Math.max(delay, Math.min(hinted, p.maxDelayMs));
    }
    const count = prev.getRetryCount() + 1;
    if (this.rateLimiter) {
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      await this.rateLimiter.getSendToken();
      return new RetryToken(count, 0, failures, firstThrottleAt);
    }
    return new RetryToken(count, delay, failures, firstThrottleAt);
  }

  recordSuccess(): void {
    this.rateLimiter?.updateClientSendingRate({});
  }
}

// ---------------------------------------------------------------- credentials

export interface CredentialOptions {
  profile?: string;
  roleArn?: string;
  externalId?: string;
  homeRegion: string;
  credentials?: AwsCredentialIdentityProvider;
}

/** The credential provider the options ask for, memoized and refreshed 5 minutes before expiry. */
export function credentialProvider(o: CredentialOptions): AwsCredentialIdentityProvider {
  if (o.credentials) return memoize(o.credentials);
  const chain = fromNodeProviderChain(o.profile !== undefined ? { profile: o.profile } : {});
  if (o.roleArn === undefined) return memoize(chain);
  return memoize(
    fromTemporaryCredentials({
      params: {
        RoleArn: o.roleArn,
        RoleSessionName: 'portolan-audit',
        ...(o.externalId !== undefined ? { ExternalId: o.externalId } : {}),
      },
      masterCredentials: chain,
      clientConfig: { region: o.homeRegion },
    }),
  );
}

export function memoize(provider: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider {
  let current: Promise<AwsCredentialIdentity> | undefined;
  return async () => {
    if (current) {
      const identity = await current.catch(() => undefined);
      const expiresAt = identity?.expiration?.getTime();
      if (identity && (expiresAt === undefined || expiresAt - Date.now() > 5 * 60_000)) return identity;
    }
    current = provider();
    return current;
  };
}

// ---------------------------------------------------------------- clients

export interface ClientSettings {
  region: string;
  endpointUrl?: string;
  credentials: AwsCredentialIdentityProvider;
  retryStrategy: RetryStrategyV2;
  maxAttempts: number;
  /** Sockets per region client: the port-state limit plus the listing call. */
  maxSockets: number;
  /** A call with no complete answer by then fails with TimeoutError (and is retried). */
  requestTimeoutMs: number;
}

/** What every client Portolan builds shares: retries, timeouts, sockets, the endpoint. */
function commonConfig(s: ClientSettings): LightsailClientConfig {
  const config: LightsailClientConfig = {
    region: s.region,
    credentials: s.credentials,
    retryStrategy: s.retryStrategy,
    maxAttempts: s.maxAttempts,
    // Resolve each command's middleware stack once, not on every send: a large
    // share of the SDK's per-call CPU, which bounds throughput on big fleets.
    cacheMiddleware: true,
    requestHandler: {
      // A connection that never answers must fail (and be retried), not hang the audit;
      // without throwOnRequestTimeout the SDK would only log a warning.
      requestTimeout: s.requestTimeoutMs,
      throwOnRequestTimeout: true,
      connectionTimeout: Math.min(10_000, s.requestTimeoutMs),
      // Enough sockets for every read the limit allows, so none waits on the agent (and the SDK prints no socket warning).
      httpAgent: { keepAlive: true, maxSockets: s.maxSockets },
      httpsAgent: { keepAlive: true, maxSockets: s.maxSockets },
    },
  };
  if (s.endpointUrl !== undefined) config.endpoint = s.endpointUrl;
  return config;
}

/** A guarded client for one region. One per region because the region is signed into every request. */
export function createLightsailClient(s: ClientSettings): LightsailClient {
  return guardReadOnly(new LightsailClient(commonConfig(s)));
}

/** A guarded Organizations client: listing only. */
export function createOrganizationsClient(s: ClientSettings): OrganizationsClient {
  return guardOperations(new OrganizationsClient(commonConfig(s)), isOrganizationsOperation, 'Organizations');
}

/** A guarded STS client: AssumeRole (through the credential providers) and GetCallerIdentity. */
export function createStsClient(s: ClientSettings): STSClient {
  return guardOperations(new STSClient(commonConfig(s) as STSClientConfig), isStsOperation, 'STS');
}

/** The partition of a region: its ARNs say `arn:<partition>:`. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export interface MemberRole {
  accountId: string;
  roleName: string;
  externalId?: string;
  partition: string;
}

/**
 * Credentials of one member account: its audit role assumed with the
 * caller's credentials, session name `portolan-<id>`. They refresh themselves
 * before they expire: a chained role session lasts at most an hour, and a
 * large organization takes longer.
 */
export function memberCredentials(role: MemberRole, base: AwsCredentialIdentityProvider, s: Omit<ClientSettings, 'credentials'>): AwsCredentialIdentityProvider {
  const stsConfig: STSClientConfig = { region: s.region, retryStrategy: s.retryStrategy, maxAttempts: s.maxAttempts };
  if (s.endpointUrl !== undefined) stsConfig.endpoint = s.endpointUrl;
  return memoize(
    fromTemporaryCredentials({
      params: {
        RoleArn: `arn:${role.partition}:iam::${role.accountId}:role/${role.roleName}`,
        RoleSessionName: `portolan-${role.accountId}`,
        ...(role.externalId !== undefined ? { ExternalId: role.externalId } : {}),
      },
      masterCredentials: base,
      clientConfig: stsConfig,
    }),
  );
}
