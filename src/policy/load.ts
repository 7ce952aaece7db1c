// Loading a policy: the root file, everything it extends (bundled packs by
// name, other files by relative path), validated together. The file system is
// reached only through a PolicyHost, so validatePolicyText stays pure and
// loadPolicy is the thin I/O wrapper.

import { readdirSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PolicyError, type Problem } from '../core/errors.js';
import type { Policy, SourcePosition } from '../core/types.js';
import { POLICY_MAX_BYTES, readFailure, readTextFile } from '../io/files.js';
import { mergeDrafts } from './resolve.js';
import { parsePolicyFile, type PolicyFileDraft } from './validate.js';
import { quote } from '../core/text.js';

/** What validation needs from the outside world. */
export interface PolicyHost {
  /** Directory that relative root paths and displayed file names are relative to. */
  cwd: string;
  /** Directory of the bundled packs (`rules/`). */
  bundledDir: string;
  /** Reads a file by absolute path; throws a Node.js error (with `code`) when it cannot. */
  readFile(absolutePath: string): string;
  /** Names of the bundled packs, without `.yaml`. */
  listBundledPacks(): string[];
  /** The file's real path (symbolic links resolved), so a file reached two ways is one file. */
  realPath?(absolutePath: string): string;
}

export interface PolicyValidation {
  policy?: Policy;
  /** Sorted by file, then line, then column. Empty when `policy` is set. */
  problems: Problem[];
}

/** Absolute path of the repository's `rules/` (the same from src/policy and dist/policy). */
export function bundledRulesDir(): string {
  return fileURLToPath(new URL('../../rules/', import.meta.url));
}

function packsIn(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.slice(0, -'.yaml'.length))
      .sort();
  } catch {
    return [];
  }
}

/** Bundled pack names, without `.yaml`, sorted. */
export function listBundledPacks(): string[] {
  return packsIn(bundledRulesDir());
}

export function nodeHost(options?: { bundledDir?: string; cwd?: string }): PolicyHost {
  const bundledDir = options?.bundledDir ?? bundledRulesDir();
  return {
    cwd: options?.cwd ?? process.cwd(),
    bundledDir,
    readFile: (p) => readTextFile(p, POLICY_MAX_BYTES),
    realPath: (p) => {
      try {
        return realpathSync(p);
      } catch {
        return p; // unreadable: reading it reports why
      }
    },
    listBundledPacks: () => packsIn(bundledDir),
  };
}

/**
 * Reads `path` and everything it extends, validates all of it and returns the
 * merged Policy. Throws PolicyError listing every problem of every file, and
 * nothing else for bad input: an unreadable root file is the single problem
 * `<path>:1:1: cannot read policy file: ENOENT (no such file or directory)`.
 */
export function loadPolicy(path: string, options?: { bundledDir?: string }): Policy {
  const host = nodeHost(options);
  let text: string;
  try {
    text = host.readFile(resolve(host.cwd, path));
  } catch (err) {
    throw new PolicyError([{ file: path, line: 1, col: 1, message: `cannot read policy file: ${readFailure(err)}` }]);
  }
  const result = validatePolicyText(text, path, host);
  if (!result.policy) throw new PolicyError(result.problems);
  return result.policy;
}

/** A policy given as text (`--policy -`): validated like a file named `file`, its relative `extends` read from the working folder. */
export function loadPolicyText(text: string, file: string, options?: { bundledDir?: string }): Policy {
  const result = validatePolicyText(text, file, nodeHost(options));
  if (!result.policy) throw new PolicyError(result.problems);
  return result.policy;
}

/**
 * Validates a policy given as text; `file` is how the file is named in
 * messages and resolved against `host.cwd`. Without a host, any `extends`
 * entry is a problem (there is nothing to read it from).
 */
export function validatePolicyText(text: string, file: string, host?: PolicyHost): PolicyValidation {
  const problems: Problem[] = [];
  const drafts: PolicyFileDraft[] = [];
  // A file is known by its real path: a symbolic link to a file already loaded is that file (and a link loop is a cycle).
  const idOf = (abs: string): string => host?.realPath?.(abs) ?? abs;
  const rootAbs = resolve(host?.cwd ?? '.', file);
  const displayOf = new Map<string, string>([[idOf(rootAbs), file]]);
  const finished = new Set<string>();
  const files: string[] = [file];

  const visit = (abs: string, display: string, source: string, stack: string[]): void => {
    const parsed = parsePolicyFile(source, display);
    for (const p of parsed.problems) problems.push(p);
    const draft = parsed.draft;
    for (const entry of draft.extends) {
      const target = resolveExtends(entry.value, abs, host, entry.path, entry.position, problems);
      if (target === undefined || host === undefined) continue;
      const id = idOf(target);
      if (stack.includes(id)) {
        const chain = [...stack.slice(stack.indexOf(id)), id].map((f) => displayOf.get(f) ?? f);
        problems.push(at(entry.position, `${entry.path}: cycle: ${chain.join(' -> ')}`));
        continue;
      }
      if (finished.has(id) || displayOf.has(id)) continue; // loaded once (a diamond is fine)
      const targetDisplay = displayName(target, host.cwd);
      let targetText: string;
      try {
        targetText = host.readFile(target);
      } catch (err) {
        problems.push(at(entry.position, `${entry.path}: cannot read ${quote(targetDisplay)}: ${readFailure(err)}`));
        continue;
      }
      displayOf.set(id, targetDisplay);
      files.push(targetDisplay);
      visit(target, targetDisplay, targetText, [...stack, id]);
    }
    // Post-order: a file's extended files come before its own entries.
    drafts.push(draft);
    finished.add(idOf(abs));
  };
  visit(rootAbs, file, text, [idOf(rootAbs)]);

  const merged = mergeDrafts(file, files, drafts, problems.length);
  const all = sortProblems([...problems, ...merged.problems]);
  if (merged.policy && all.length === 0) return { policy: merged.policy, problems: [] };
  return { problems: all };
}

function at(pos: SourcePosition, message: string): Problem {
  return { file: pos.file, line: pos.line, col: pos.col, message };
}

/** Absolute path of an extends entry, or undefined after reporting why not. */
function resolveExtends(
  entry: string,
  includingAbs: string,
  host: PolicyHost | undefined,
  path: string,
  position: SourcePosition,
  problems: Problem[],
): string | undefined {
  if (!host) {
    problems.push(at(position, `${path}: ${quote(entry)} cannot be loaded without file access (use loadPolicy)`));
    return undefined;
  }
  if (entry.includes('/') || entry.endsWith('.yaml') || entry.endsWith('.yml')) {
    return resolve(dirname(includingAbs), entry);
  }
  const packs = host.listBundledPacks();
  if (!packs.includes(entry)) {
    problems.push(at(position, `${path}: unknown bundled pack ${quote(entry)}; available: ${packs.join(', ') || '(none)'} (a file path needs a "/" or a .yaml/.yml suffix)`));
    return undefined;
  }
  return join(host.bundledDir, `${entry}.yaml`);
}

/** Relative to cwd when under it, else absolute. */
export function displayName(abs: string, cwd: string): string {
  const rel = relative(cwd, abs);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return abs;
  return rel.split(sep).join('/');
}


export function sortProblems(problems: Problem[]): Problem[] {
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => {
      if (a.p.file !== b.p.file) return a.p.file < b.p.file ? -1 : 1;
      return a.p.line - b.p.line || a.p.col - b.p.col || a.i - b.i;
    })
    .map(({ p }) => p);
}
