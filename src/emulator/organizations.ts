// AWS Organizations, read-only: the listings a collector walks to discover
// member accounts (ListRoots, ListOrganizationalUnitsForParent,
// ListAccountsForParent, ListAccounts) and DescribeOrganization, paged with
// NextToken and MaxResults (1..20). Only the management account may call
// them; an account in no organization is told so.

import type { AccountState } from './organization-file.js';
import type { ServedAccount, ServedOrganization, ServedUnit, ServedWorld } from './accounts.js';
import type { ServiceCall } from './lightsail.js';
import type { PageTokens } from './page-token.js';
import { ApiError } from './wire.js';

/** HTTP status per error code, from the Organizations Smithy model (httpError traits). */
const ERROR_STATUS = new Map<string, number>([
  ['AccessDeniedException', 403],
  ['AWSOrganizationsNotInUseException', 404],
  ['ParentNotFoundException', 404],
  ['InvalidInputException', 400],
  ['TooManyRequestsException', 429],
  ['ServiceException', 500],
  ['UnknownOperationException', 400],
  ['SerializationException', 400],
  ['MissingAuthenticationTokenException', 400],
  ['IncompleteSignatureException', 400],
  ['UnrecognizedClientException', 403],
  ['ExpiredTokenException', 403],
]);

export function organizationsErrorStatus(code: string): number {
  return ERROR_STATUS.get(code) ?? 400;
}

const MAX_RESULTS = 20;
const PARENT_ID = /^(?:r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;

/** The deprecated Status each State still reports. */
const STATUS_OF_STATE = new Map<AccountState, string>([
  ['ACTIVE', 'ACTIVE'],
  ['PENDING_ACTIVATION', 'ACTIVE'],
  ['SUSPENDED', 'SUSPENDED'],
  ['PENDING_CLOSURE', 'PENDING_CLOSURE'],
  ['CLOSED', 'SUSPENDED'],
]);

function invalidInput(reason: string, message: string): ApiError {
  return new ApiError('InvalidInputException', message, { Reason: reason });
}

function maxResults(raw: unknown): number {
  if (raw === undefined) return MAX_RESULTS;
  if (typeof raw !== 'number' || !Number.isInteger(raw)) throw invalidInput('INVALID_INPUT', 'MaxResults must be an integer.');
  if (raw < 1) throw invalidInput('MIN_VALUE_EXCEEDED', 'You provided a value that is too small for MaxResults (at least 1).');
  if (raw > MAX_RESULTS) throw invalidInput('MAX_VALUE_EXCEEDED', `You provided a value that exceeds the maximum allowed for MaxResults (${MAX_RESULTS}).`);
  return raw;
}

export class OrganizationsApi {
  private readonly organization: ServedOrganization | undefined;
  private readonly unitsByParent = new Map<string, ServedUnit[]>();
  private readonly accountsByParent = new Map<string, ServedAccount[]>();
  private readonly pathOf = new Map<string, string>();
  private readonly operations = new Map<string, (call: ServiceCall) => Record<string, unknown>>([
    ['ListRoots', (call) => this.listRoots(call)],
    ['ListOrganizationalUnitsForParent', (call) => this.listUnits(call)],
    ['ListAccountsForParent', (call) => this.listAccountsForParent(call)],
    ['ListAccounts', (call) => this.listAccounts(call)],
    ['DescribeOrganization', () => ({ Organization: this.describe() })],
  ]);

  constructor(
    private readonly world: ServedWorld,
    private readonly tokens: PageTokens,
    /** Every listing starts with an empty page that carries a NextToken (AWS may do so). */
    private readonly emptyPages = false,
  ) {
    this.organization = world.organization;
    const org = this.organization;
    if (!org) return;
    this.pathOf.set(org.rootId, `${org.id}/${org.rootId}/`);
    for (const unit of org.units) {
      this.pathOf.set(unit.id, unit.path);
      this.unitsByParent.set(unit.parentId, [...(this.unitsByParent.get(unit.parentId) ?? []), unit]);
    }
    for (const account of world.accounts.values()) {
      this.accountsByParent.set(account.parentId, [...(this.accountsByParent.get(account.parentId) ?? []), account]);
    }
  }

  answer(call: ServiceCall): unknown {
    const operation = this.operations.get(call.operation);
    if (!operation) {
      throw new ApiError('UnknownOperationException', `Operation ${call.operation || '(none)'} is not supported by the Portolan Organizations emulator, which is read-only`);
    }
    const org = this.organization;
    if (!org) throw new ApiError('AWSOrganizationsNotInUseException', 'Your account is not a member of an organization.');
    const denied = org.deniedOperations.has('*') || org.deniedOperations.has(call.operation);
    if (denied || call.caller.accountId !== org.managementAccountId) {
      throw new ApiError('AccessDeniedException', "You don't have permissions to access this resource.");
    }
    return operation(call);
  }

  private get org(): ServedOrganization {
    return this.organization as ServedOrganization;
  }

  private arn(kind: string, id: string): string {
    return `arn:aws:organizations::${this.org.managementAccountId}:${kind}/${this.org.id}/${id}`;
  }

  private describe(): Record<string, unknown> {
    const management = this.world.accounts.get(this.org.managementAccountId);
    return {
      Id: this.org.id,
      Arn: `arn:aws:organizations::${this.org.managementAccountId}:organization/${this.org.id}`,
      FeatureSet: 'ALL',
      MasterAccountArn: this.arn('account', this.org.managementAccountId),
      MasterAccountId: this.org.managementAccountId,
      MasterAccountEmail: management?.email ?? `aws+${this.org.managementAccountId}@example.com`,
      AvailablePolicyTypes: [],
    };
  }

  private accountShape(account: ServedAccount): Record<string, unknown> {
    return {
      Id: account.id,
      Arn: this.arn('account', account.id),
      Email: account.email,
      Name: account.name,
      Status: STATUS_OF_STATE.get(account.state) ?? 'ACTIVE',
      State: account.state,
      Paths: [`${this.pathOf.get(account.parentId) ?? ''}${account.id}/`],
      JoinedMethod: account.joinedMethod,
      JoinedTimestamp: account.joinedTimestamp,
    };
  }

  /** One page of `items` and the NextToken of the next, if any. */
  private page<T>(items: readonly T[], call: ServiceCall, scope: string): { items: T[]; NextToken?: string } {
    const size = maxResults(call.input['MaxResults']);
    const raw = call.input['NextToken'];
    if (raw === undefined) {
      if (this.emptyPages) return { items: [], NextToken: this.tokens.encode(scope, 0) };
      return this.slice(items, 0, size, scope);
    }
    const offset = this.tokens.decode(raw, scope, items.length);
    if (offset === undefined) throw invalidInput('INVALID_NEXT_TOKEN', 'The NextToken is not valid for this request.');
    return this.slice(items, offset, size, scope);
  }

  private slice<T>(items: readonly T[], offset: number, size: number, scope: string): { items: T[]; NextToken?: string } {
    const next = offset + size;
    const pageItems = items.slice(offset, next);
    return next < items.length ? { items: pageItems, NextToken: this.tokens.encode(scope, next) } : { items: pageItems };
  }

  /** The ParentId of a *ForParent call: present, well formed, and a root or unit of this organization. */
  private parentId(call: ServiceCall): string {
    const id = call.input['ParentId'];
    if (id === undefined) throw invalidInput('INPUT_REQUIRED', 'ParentId is required.');
    if (typeof id !== 'string' || !PARENT_ID.test(id)) throw invalidInput('INVALID_PATTERN_TARGET_ID', 'ParentId must be a root id (r-...) or an OU id (ou-...).');
    if (!this.pathOf.has(id)) throw new ApiError('ParentNotFoundException', "We can't find a root or OU with the ParentId that you specified.");
    return id;
  }

  private listRoots(call: ServiceCall): Record<string, unknown> {
    const roots = [{ Id: this.org.rootId, Arn: this.arn('root', this.org.rootId), Name: 'Root', PolicyTypes: [] }];
    const { items, NextToken } = this.page(roots, call, 'ListRoots');
    return { Roots: items, NextToken };
  }

  private listUnits(call: ServiceCall): Record<string, unknown> {
    const parent = this.parentId(call);
    const units = (this.unitsByParent.get(parent) ?? []).map((u) => ({ Id: u.id, Arn: this.arn('ou', u.id), Name: u.name, Path: u.path }));
    const { items, NextToken } = this.page(units, call, `ListOrganizationalUnitsForParent\0${parent}`);
    return { OrganizationalUnits: items, NextToken };
  }

  private listAccountsForParent(call: ServiceCall): Record<string, unknown> {
    const parent = this.parentId(call);
    const { items, NextToken } = this.page(this.accountsByParent.get(parent) ?? [], call, `ListAccountsForParent\0${parent}`);
    return { Accounts: items.map((a) => this.accountShape(a)), NextToken };
  }

  private listAccounts(call: ServiceCall): Record<string, unknown> {
    const { items, NextToken } = this.page([...this.world.accounts.values()], call, 'ListAccounts');
    return { Accounts: items.map((a) => this.accountShape(a)), NextToken };
  }
}
