// Merging the drafts of a policy and the files it extends, and resolving what
// only the merged policy can settle: network names, duplicate rule ids, rule
// ids named by exceptions. Pure.

import { addressSetOf, PRIVATE_SET, unionSets, EMPTY_SET } from '../core/cidr.js';
import type { Problem } from '../core/errors.js';
import type {
  AddressList,
  AddressSet,
  Policy,
  PolicyException,
  Rule,
  SourceCondition,
  SourcePosition,
} from '../core/types.js';
import type { DraftAddressList, DraftNetwork, DraftRule, Located, PolicyFileDraft } from './validate.js';
import { didYouMean } from './yaml-nodes.js';
import { quote } from '../core/text.js';

function problemAt(pos: SourcePosition, message: string): Problem {
  return { file: pos.file, line: pos.line, col: pos.col, message };
}

function at(pos: SourcePosition): string {
  return `${pos.file}:${pos.line}:${pos.col}`;
}

function sameSet(a: AddressSet, b: AddressSet): boolean {
  const eq = (x: AddressSet['v4'], y: AddressSet['v4']) =>
    x.length === y.length && x.every((iv, i) => iv.start === y[i]!.start && iv.end === y[i]!.end);
  return eq(a.v4, b.v4) && eq(a.v6, b.v6);
}

/**
 * Merges drafts given in merge order (extended files first, in extends order,
 * each file once, the root last) into one Policy. `files` lists every file,
 * the root first. Returns problems instead of a policy when anything is wrong.
 */
export function mergeDrafts(
  rootFile: string,
  files: string[],
  drafts: PolicyFileDraft[],
  earlierProblems: number,
): { policy?: Policy; problems: Problem[] } {
  const problems: Problem[] = [];

  // Networks: a name defined twice must mean the same addresses.
  const networks = new Map<string, { draft: DraftNetwork; list: AddressList }>();
  for (const d of drafts) {
    for (const net of d.networks) {
      const list: AddressList = { names: net.texts, set: addressSetOf(net.cidrs) };
      const first = networks.get(net.name);
      if (!first) networks.set(net.name, { draft: net, list });
      else if (first.draft.valid && net.valid && !sameSet(first.list.set, list.set)) {
        problems.push(problemAt(net.position, `${net.path}: network ${quote(net.name)} is already defined with other addresses at ${at(first.draft.position)}`));
      }
    }
  }

  // Rule ids: unique across every file.
  const ruleIds = new Map<string, Located<string>>();
  for (const d of drafts) {
    for (const id of d.ruleIds) {
      const first = ruleIds.get(id.value);
      if (first) problems.push(problemAt(id.position, `${id.path}: duplicate rule id ${quote(id.value)} (first defined at ${at(first.position)})`));
      else ruleIds.set(id.value, id);
    }
  }

  const networkNames = ['private', ...networks.keys()];
  for (const d of drafts) {
    for (const ref of d.networkRefs) {
      if (ref.text === 'private' || networks.has(ref.text)) continue;
      problems.push(problemAt(ref.position, `${ref.path}: unknown network ${quote(ref.text)}${didYouMean(ref.text, networkNames)}; known: ${networkNames.join(', ')}`));
    }
  }

  // Names were checked above: an unknown one here means problems were already reported.
  const resolveList = (list: DraftAddressList): AddressList | undefined => {
    let set = EMPTY_SET;
    for (const ref of list.refs) {
      if (ref.cidr) set = unionSets(set, addressSetOf([ref.cidr]));
      else if (ref.text === 'private') set = unionSets(set, PRIVATE_SET);
      else {
        const net = networks.get(ref.text);
        if (!net) return undefined;
        set = unionSets(set, net.list.set);
      }
    }
    return { names: list.names, set };
  };

  const rules: Rule[] = [];
  for (const d of drafts) {
    d.rules.forEach((draft) => {
      const rule = resolveRule(draft, resolveList);
      if (rule) rules.push(rule);
    });
  }

  const exceptions: PolicyException[] = [];
  const idList = [...ruleIds.keys()];
  for (const d of drafts) {
    for (const ex of d.exceptions) {
      for (const ref of ex.ruleRefs) {
        if (ref.value === '*' || ruleIds.has(ref.value)) continue;
        problems.push(problemAt(ref.position, `${ref.path}: unknown rule id ${quote(ref.value)}${didYouMean(ref.value, idList)}`));
      }
      exceptions.push(exceptionOf(ex));
    }
  }

  if (problems.length > 0 || earlierProblems > 0) return { problems };
  const policy: Policy = {
    path: rootFile,
    files,
    networks: Object.fromEntries([...networks].map(([name, n]) => [name, n.list])),
    rules,
    exceptions,
  };
  return { policy, problems };
}

function resolveRule(draft: DraftRule, resolveList: (l: DraftAddressList) => AddressList | undefined): Rule | undefined {
  const { match, ...rest } = draft;
  const { source, ...matchRest } = match;
  if (typeof source === 'string') return { ...rest, match: { ...matchRest, source } };
  const { outside, overlaps, ...cond } = source;
  const resolved: SourceCondition = { ...cond };
  let ok = true;
  if (outside) {
    const l = resolveList(outside);
    if (l) resolved.outside = l;
    else ok = false;
  }
  if (overlaps) {
    const l = resolveList(overlaps);
    if (l) resolved.overlaps = l;
    else ok = false;
  }
  return ok ? { ...rest, match: { ...matchRest, source: resolved } } : undefined;
}

/** The exception without the draft's rule references (positions kept only for validation). */
function exceptionOf(ex: PolicyFileDraft['exceptions'][number]): PolicyException {
  const exception: PolicyException = { rules: ex.rules, reason: ex.reason, position: ex.position };
  if (ex.instances !== undefined) exception.instances = ex.instances;
  if (ex.regions !== undefined) exception.regions = ex.regions;
  if (ex.tags !== undefined) exception.tags = ex.tags;
  if (ex.ports !== undefined) exception.ports = ex.ports;
  if (ex.expires !== undefined) exception.expires = ex.expires;
  return exception;
}
