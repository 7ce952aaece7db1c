// Discovery: which member accounts an organization audit covers. ListAccounts
// is the authority on which accounts exist (so no walk can drop one); the
// tree of units, walked from the roots, names each account's OU path and
// answers `--ou` filters. Every list is paged on NextToken; an answer without
// the list it exists to return is an error, never an empty organization.

import {
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import pLimit from 'p-limit';
import { isAccountId } from '../core/account-state.js';
import { codedError, isRecord } from './errors.js';

/** An account as discovery saw it. `state` is AWS's (`State`, else the older `Status`). */
export interface DiscoveredAccount {
  id: string;
  name?: string;
  state: string;
  /** `/prod/shop`, `/` for the root; absent when the tree could not be walked. */
  ouPath?: string;
}

export interface DiscoveryOptions {
  /** Keep only accounts under these units (recursively); a root id keeps the whole root. */
  ous?: readonly string[];
  signal?: AbortSignal;
}

/** A paging loop bigger than any organization (AWS allows a few thousand accounts). */
const MAX_PAGES = 5_000;
/** Organizations throttles early (a few calls a second): walk the tree gently. */
const WALK_CONCURRENCY = 3;
/** AWS nests units at most five deep under a root; deeper is an answer not to follow. */
const MAX_UNIT_DEPTH = 8;


/** Every item of a paged List* call; the answer must hold `key` as a list on every page. */
async function listAll(send: (token: string | undefined) => Promise<object>, operation: string, key: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  let token: string | undefined;
  for (let pages = 1; ; pages++) {
    const page = (await send(token)) as Record<string, unknown>;
    const list = page[key];
    if (!Array.isArray(list)) throw codedError('MalformedResponse', `${operation} answered without a ${key} list`);
    for (const item of list as unknown[]) {
      if (!isRecord(item)) throw codedError('MalformedResponse', `${operation} returned an entry that is not an object`);
      items.push(item);
    }
    const next = page['NextToken'];
    if (next === undefined || next === null || next === '') return items;
    if (typeof next !== 'string') throw codedError('MalformedResponse', `${operation} returned a NextToken that is not a string`);
    if (seen.has(next)) throw codedError('RepeatedPageToken', `${operation} returned the same NextToken twice`);
    if (pages >= MAX_PAGES) throw codedError('TooManyPages', `${operation} still had more pages after ${MAX_PAGES}`);
    seen.add(next);
    token = next;
  }
}

function accountOf(item: Record<string, unknown>, operation: string): DiscoveredAccount {
  const id = item['Id'];
  if (typeof id !== 'string' || !isAccountId(id)) throw codedError('MalformedResponse', `${operation} returned an account without a 12-digit Id`);
  // An account without a state is audited (isAudited): a thin answer must not skip it.
  const state = typeof item['State'] === 'string' ? item['State'] : typeof item['Status'] === 'string' ? item['Status'] : 'UNKNOWN';
  const name = item['Name'];
  return typeof name === 'string' ? { id, name, state } : { id, state };
}

interface Placement {
  ouPath: string;
  /** Ids of the root and every unit above the account. */
  ancestors: readonly string[];
}

interface Tree {
  placements: Map<string, Placement>;
  /** Every root and unit id. */
  parents: Set<string>;
}

/** Walks every root and unit: where each account sits. */
async function walkTree(client: OrganizationsClient, signal: AbortSignal | undefined): Promise<Tree> {
  const opts = signal ? { abortSignal: signal } : {};
  const limit = pLimit(WALK_CONCURRENCY);
  const placements = new Map<string, Placement>();
  const parents = new Set<string>();
  const roots = await listAll((NextToken) => client.send(new ListRootsCommand({ NextToken }), opts), 'ListRoots', 'Roots');
  const visit = async (parentId: string, path: string, ancestors: readonly string[]): Promise<void> => {
    // A unit met twice (a cycle, or one unit under two parents) would be walked without end.
    if (parents.has(parentId)) throw codedError('MalformedResponse', `the organization tree holds ${parentId} twice (a cycle or a unit under two parents)`);
    if (ancestors.length > MAX_UNIT_DEPTH + 1) throw codedError('MalformedResponse', `the organization tree is more than ${MAX_UNIT_DEPTH} units deep`);
    parents.add(parentId);
    const [units, accounts] = await Promise.all([
      limit(() => listAll((NextToken) => client.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, NextToken, MaxResults: 20 }), opts), 'ListOrganizationalUnitsForParent', 'OrganizationalUnits')),
      limit(() => listAll((NextToken) => client.send(new ListAccountsForParentCommand({ ParentId: parentId, NextToken, MaxResults: 20 }), opts), 'ListAccountsForParent', 'Accounts')),
    ]);
    for (const a of accounts) placements.set(accountOf(a, 'ListAccountsForParent').id, { ouPath: path === '' ? '/' : path, ancestors });
    await Promise.all(
      units.map((u) => {
        const id = u['Id'];
        const name = typeof u['Name'] === 'string' ? u['Name'] : String(id);
        if (typeof id !== 'string') throw codedError('MalformedResponse', 'ListOrganizationalUnitsForParent returned a unit without an Id');
        return visit(id, `${path}/${name}`, [...ancestors, id]);
      }),
    );
  };
  await Promise.all(
    roots.map((r) => {
      const id = r['Id'];
      if (typeof id !== 'string') throw codedError('MalformedResponse', 'ListRoots returned a root without an Id');
      return visit(id, '', [id]);
    }),
  );
  return { placements, parents };
}

/**
 * The organization's accounts, sorted by id. With `ous`, only those under
 * one of the units (the tree walk must then succeed); without, every account
 * ListAccounts returns, with its OU path when the tree could be walked.
 */
export async function discoverAccounts(client: OrganizationsClient, options: DiscoveryOptions = {}): Promise<DiscoveredAccount[]> {
  const opts = options.signal ? { abortSignal: options.signal } : {};
  const listed = (await listAll((NextToken) => client.send(new ListAccountsCommand({ NextToken, MaxResults: 20 }), opts), 'ListAccounts', 'Accounts')).map((a) =>
    accountOf(a, 'ListAccounts'),
  );
  const filtering = options.ous !== undefined && options.ous.length > 0;
  let placements: Map<string, Placement> | undefined;
  try {
    const tree = await walkTree(client, options.signal);
    placements = tree.placements;
    const unknown = (options.ous ?? []).filter((ou) => !tree.parents.has(ou));
    if (unknown.length > 0) throw codedError('OrganizationalUnitNotFound', `no root or unit ${unknown.join(', ')} in this organization`);
  } catch (e) {
    if (filtering || options.signal?.aborted) throw e;
    placements = undefined; // the OU paths are a courtesy without --ou: the account list stands
  }
  const wanted = new Set(options.ous ?? []);
  const accounts = listed
    .map((a) => {
      const place = placements?.get(a.id);
      return place ? { ...a, ouPath: place.ouPath } : a;
    })
    .filter((a) => !filtering || (placements?.get(a.id)?.ancestors ?? []).some((id) => wanted.has(id)));
  return accounts.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
