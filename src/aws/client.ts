// Building Lightsail clients for the collector: read-only guard, retry policy
// tuned for throttled accounts, credentials. No calls are made here.

import { LightsailClient, type LightsailClientConfig } from '@aws-sdk/client-lightsail';
import { fromNodeProviderChain, fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { DefaultRateLimiter } from '@smithy/core/retry';
import type {
  AwsCredentialIdentity,
  AwsCredentialIdentityProvider,
  RetryErrorInfo,
  RetryStrategyV2,
  StandardRetryToken,
} from '@smithy/types';
import { isReadOperation } from './operations.js';

/** Thrown before anything is sent when code tries a non-read operation. */
export class ReadOnlyViolationError extends Error {
  readonly operation: string;
  constructor(operation: string) {
    super(`refusing to call Lightsail ${operation}: Portolan only calls read operations`);
    this.name = 'ReadOnlyViolationError';
    this.operation = operation;
  }
}

/**
 * Adds a guard at the very first middleware step: any command whose operation
 * is not in READ_OPERATIONS throws before it is serialized, signed or sent.
 */
export function guardReadOnly<C extends LightsailClient>(client: C): C {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? '').replace(/Command$/, '');
      if (!isReadOperation(operation)) throw new ReadOnlyViolationError(operation || 'an unnamed command');
      return next(args);
    },
    { step: 'initialize', name: 'portolanReadOnlyGuard', priority: 'high', override: true },
  );
  return client;
}

// ---------------------------------------------------------------- retries

export type RetryMode = 'standard' | 'adaptive';

export interface RetryPolicy {
  maxAttempts: number;
  mode: RetryMode;
  /** Backoff base for 5xx, timeouts and dropped connections. */
  baseDelayMs: number;
  /** Backoff base for throttling errors. */
  throttleBaseDelayMs: number;
  maxDelayMs: number;
}

class RetryToken implements StandardRetryToken {
  constructor(
    private readonly count: number,
    private readonly delayMs: number,
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
 * Exponential backoff with full jitter, like the SDK's standard mode, minus
 * its retry-capacity circuit breaker: the SDK stops retrying once a shared
 * bucket of 500 "retry tokens" runs dry, which on a large, throttled fleet
 * turns slowness into lost instances. An audit is a batch job; a throttled
 * account must be slowed, not failed, so every call gets its full
 * `maxAttempts`. In `adaptive` mode a client-side rate limiter (the SDK's
 * own CUBIC DefaultRateLimiter), shared by all regions, also paces sends.
 */
export class CollectorRetryStrategy implements RetryStrategyV2 {
  readonly mode: RetryMode;
  private readonly rateLimiter: DefaultRateLimiter | undefined;

  constructor(
    private readonly policy: RetryPolicy,
    private readonly random: () => number = Math.random,
  ) {
    this.mode = policy.mode;
    this.rateLimiter = policy.mode === 'adaptive' ? new DefaultRateLimiter() : undefined;
  }

  async acquireInitialRetryToken(): Promise<StandardRetryToken> {
    if (this.rateLimiter) await this.rateLimiter.getSendToken();
    return new RetryToken(0, 0);
  }

  async refreshRetryTokenForRetry(token: StandardRetryToken, errorInfo: RetryErrorInfo): Promise<StandardRetryToken> {
    this.rateLimiter?.updateClientSendingRate(errorInfo);
    const retryable = errorInfo.errorType === 'THROTTLING' || errorInfo.errorType === 'TRANSIENT';
    const attemptsMade = token.getRetryCount() + 1;
    if (!retryable || attemptsMade >= this.policy.maxAttempts) throw new Error('no retry token available');
    const base = errorInfo.errorType === 'THROTTLING' ? this.policy.throttleBaseDelayMs : this.policy.baseDelayMs;
    let delay = Math.floor(this.random() * Math.min(base * 2 ** token.getRetryCount(), this.policy.maxDelayMs));
    if (errorInfo.retryAfterHint instanceof Date) {
      const hinted = errorInfo.retryAfterHint.getTime() - Date.now();
      delay = Math.max(delay, Math.min(hinted, this.policy.maxDelayMs));
    }
    if (this.rateLimiter) {
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
      await this.rateLimiter.getSendToken();
      return new RetryToken(attemptsMade, 0);
    }
    return new RetryToken(attemptsMade, delay);
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

function memoize(provider: AwsCredentialIdentityProvider): AwsCredentialIdentityProvider {
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
}

/** A guarded client for one region. One per region because the region is signed into every request. */
export function createLightsailClient(s: ClientSettings): LightsailClient {
  const config: LightsailClientConfig = {
    region: s.region,
    credentials: s.credentials,
    retryStrategy: s.retryStrategy,
    maxAttempts: s.maxAttempts,
    // A dropped connection that never answers must fail (and be retried), not hang the audit.
    requestHandler: { requestTimeout: 30_000, connectionTimeout: 10_000 },
  };
  if (s.endpointUrl !== undefined) config.endpoint = s.endpointUrl;
  return guardReadOnly(new LightsailClient(config));
}
