// One call, from request to planned answer: route it, find who signed it,
// draw its faults from the injector of that service and account, and ask the
// service. Never throws: whatever the request or the inventory holds, the
// plan is an answer (a ServiceException/InternalFailure as the last resort)
// or, by injected fault, a dropped connection.

import type { ServedAccount, ServedWorld } from './accounts.js';
import type { SessionIssuer } from './credentials.js';
import type { FaultInjector } from './faults.js';
import { answerLightsail, type LightsailSettings, type ServiceCall } from './lightsail.js';
import type { OrganizationsApi } from './organizations.js';
import type { CallRecord, ServiceName } from './record.js';
import { routeRequest, type RequestFacts, type Route } from './routing.js';
import { wordsOf, type ServiceWords } from './services.js';
import type { StsApi } from './sts.js';
import { excerpt } from './text.js';
import { ApiError, renderError, renderInternalError, renderResult, type WireResponse } from './wire.js';

export type CallPlan =
  | { kind: 'respond'; response: WireResponse; outcome: string; delayMs: number }
  | { kind: 'drop'; delayMs: number };

export interface ServiceApis {
  lightsail: LightsailSettings;
  organizations: OrganizationsApi;
  sts: StsApi;
}

const MAX_RECORDED_NAME = 255;

export class Dispatcher {
  constructor(
    private readonly world: ServedWorld,
    private readonly issuer: SessionIssuer,
    private readonly apis: ServiceApis,
    private readonly now: () => number = Date.now,
  ) {}

  /** Plans the answer to one request and fills in what the record learns on the way. */
  plan(facts: RequestFacts, record: CallRecord, requestId: string): CallPlan {
    const routed = routeRequest(facts);
    const service = routed.ok ? routed.route.service : routed.service;
    const words = wordsOf(service);
    record.service = service;
    record.operation = routed.ok ? routed.route.operation : routed.operation;
    record.region = routed.ok ? routed.route.region : routed.region;
    try {
      if (!routed.ok) return this.error(words, routed.error, requestId, 0);
      return this.planRouted(routed.route, words, record, requestId);
    } catch (error) {
      // A defect here must not cost the caller its answer: reply as AWS does to its own failures.
      const internal = new ApiError(service === 'sts' ? 'InternalFailure' : 'ServiceException', `Emulator internal error: ${excerpt(String(error))}`);
      return this.error(words, internal, requestId, 0);
    }
  }

  private planRouted(route: Route, words: ServiceWords, record: CallRecord, requestId: string): CallPlan {
    const caller = this.issuer.resolve(route.accessKeyId, route.sessionToken, this.world.baseAccountId, this.now());
    if (typeof caller === 'string') return this.error(words, words.refusedToken(caller), requestId, 0);
    const account = this.world.accounts.get(caller.accountId);
    if (!account) throw new Error(`no account ${caller.accountId} behind a valid session`);
    record.accountId = account.id;
    const instanceName = route.input['instanceName'];
    if (typeof instanceName === 'string') record.instanceName = instanceName.slice(0, MAX_RECORDED_NAME);

    const draw = this.injectorOf(route.service, account).draw(route.region);
    if (draw.outcome === 'drop') return { kind: 'drop', delayMs: draw.delayMs };
    if (draw.outcome === 'throttle') return this.error(words, words.throttled(), requestId, draw.delayMs);
    if (draw.outcome === 'error') return this.error(words, words.failed(), requestId, draw.delayMs);
    const call: ServiceCall = { operation: route.operation, input: route.input, region: route.region, caller, account };
    try {
      const result = this.answer(route.service, call);
      return { kind: 'respond', response: renderResult(words.protocol, route.operation, result, requestId), outcome: 'ok', delayMs: draw.delayMs };
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      return this.error(words, error, requestId, draw.delayMs);
    }
  }

  private injectorOf(service: ServiceName, account: ServedAccount): FaultInjector {
    if (service === 'lightsail') return account.lightsailFaults;
    return service === 'organizations' ? this.world.organizationsFaults : this.world.stsFaults;
  }

  private answer(service: ServiceName, call: ServiceCall): unknown {
    if (service === 'lightsail') return answerLightsail(call, this.apis.lightsail);
    if (service === 'organizations') return this.apis.organizations.answer(call);
    return this.apis.sts.answer(call);
  }

  private error(words: ServiceWords, error: ApiError, requestId: string, delayMs: number): CallPlan {
    let response: WireResponse;
    try {
      response = renderError(words.protocol, error, words.status(error.code), requestId);
    } catch {
      response = renderInternalError(words.protocol, requestId);
    }
    return { kind: 'respond', response, outcome: error.code, delayMs };
  }
}
