// Reading a YAML document node by node, so that every value keeps its
// position and every mistake becomes a `file:line:col: message` problem
// instead of an exception. Validation never stops at the first problem.

import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
  type Pair,
  type Scalar,
} from 'yaml';
import type { Problem } from '../core/errors.js';
import type { SourcePosition } from '../core/types.js';
import { excerpt, quote } from '../core/text.js';

/**
 * The most values a policy may hold once its aliases are expanded. Reading
 * follows aliases, so a small file of nested aliases (a "billion laughs")
 * could otherwise cost time and memory that grow with the product of its
 * nesting; real policies hold a few thousand values.
 */
export const MAX_EXPANDED_NODES = 200_000;

/**
 * How many values the document holds with every alias expanded, counted in
 * time linear in the file (each anchored node is sized once); Infinity for an
 * alias that contains itself. Stops counting past MAX_EXPANDED_NODES.
 */
export function expandedSize(doc: Document): number {
  const sizes = new Map<unknown, number>();
  const visiting = new Set<unknown>();
  const size = (node: unknown): number => {
    if (node === null || node === undefined) return 0;
    if (isAlias(node)) {
      const target = node.resolve(doc);
      return target === undefined ? 1 : size(target);
    }
    const known = sizes.get(node);
    if (known !== undefined) return known;
    if (visiting.has(node)) return Infinity;
    visiting.add(node);
    let total = 1;
    if (isMap(node)) {
      for (const pair of node.items) {
        total += size(pair.key) + size(pair.value);
        if (total > MAX_EXPANDED_NODES) break;
      }
    } else if (isSeq(node)) {
      for (const item of node.items) {
        total += size(item);
        if (total > MAX_EXPANDED_NODES) break;
      }
    }
    visiting.delete(node);
    sizes.set(node, total);
    return total;
  };
  return size(doc.contents);
}

export class NodeReader {
  readonly problems: Problem[] = [];
  private readonly lineCounter: LineCounter;
  readonly doc: Document;
  /** False when the YAML itself is broken: the structure is then not worth checking. */
  readonly syntaxOk: boolean;

  constructor(
    readonly text: string,
    readonly file: string,
  ) {
    this.lineCounter = new LineCounter();
    this.doc = parseDocument(text, { lineCounter: this.lineCounter, prettyErrors: false, uniqueKeys: true });
    let syntaxOk = true;
    for (const err of this.doc.errors) {
      const [line, col] = this.lineCol(err.pos[0]);
      if (err.code === 'DUPLICATE_KEY') {
        const key = keyAt(text, err.pos[0]);
        this.problems.push({ file, line, col, message: `duplicate key ${key} (each key may appear once per mapping)` });
      } else {
        syntaxOk = false;
        const message =
          err.code === 'MULTIPLE_DOCS' ? 'a policy file holds one YAML document; this "---" starts a second one' : yamlMessage(err.message);
        this.problems.push({ file, line, col, message: `invalid YAML: ${excerpt(message, 200)}` });
      }
    }
    if (syntaxOk && expandedSize(this.doc) > MAX_EXPANDED_NODES) {
      syntaxOk = false;
      this.problems.push({
        file,
        line: 1,
        col: 1,
        message: `aliases expand this policy to more than ${MAX_EXPANDED_NODES.toLocaleString('en-US')} values; refusing to read it (write the entries out, or use fewer aliases)`,
      });
    }
    this.syntaxOk = syntaxOk;
  }

  private lineCol(offset: number): [number, number] {
    const p = this.lineCounter.linePos(offset);
    return [p.line, p.col];
  }

  position(node: Node | Pair | null | undefined): SourcePosition {
    const range = node && (isPair(node) ? (node.key as Node | null)?.range : node.range);
    if (!range) return { file: this.file, line: 1, col: 1 };
    const [line, col] = this.lineCol(range[0]);
    return { file: this.file, line, col };
  }

  /** Report at `node`, or at `fallback` when the node has no text of its own (`key:` with nothing after it). */
  error(node: Node | Pair | null | undefined, message: string, fallback?: Node | Pair | null): void {
    const target = hasOwnText(node) ? node : (fallback ?? node);
    const pos = this.position(target);
    this.problems.push({ file: pos.file, line: pos.line, col: pos.col, message });
  }

  /** Follows `*alias` to its anchored node. */
  deref(node: unknown): Node | null {
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      if (!target) {
        this.error(node, `unknown alias *${node.source}`);
        return null;
      }
      return target;
    }
    return (node as Node | null) ?? null;
  }
}

/** The key written at `offset` (the parser reports duplicates by position only), quoted for messages. */
function keyAt(text: string, offset: number): string {
  const rest = text.slice(offset);
  const quoted = /^("(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*')/.exec(rest);
  if (quoted) return quoted[1]!;
  return quote((/^[^\n]*?(?=:(?:\s|$)|\n|$)/.exec(rest)?.[0] ?? '').trim());
}

function hasOwnText(node: Node | Pair | null | undefined): boolean {
  if (!node) return false;
  if (isPair(node)) return true;
  if (isScalar(node)) return node.value !== null || (node.source ?? '') !== '';
  return true;
}

/** First line of a yaml library message, without its "at line N, column M:" tail (we print our own). */
function yamlMessage(message: string): string {
  const first = (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?\s*$/, '').trim();
  return first.charAt(0).toLowerCase() + first.slice(1);
}

/** "a list", "the string \"x\"", ... for "must be X, got Y" messages. */
export function describe(node: Node | null): string {
  if (node === null) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null || v === undefined) return 'nothing';
    if (typeof v === 'string') return `the string ${quote(v, 40)}`;
    if (typeof v === 'boolean') return `the boolean ${String(v)}`;
    if (typeof v === 'number') return Number.isInteger(v) ? `the integer ${shownScalar(node)}` : `the number ${shownScalar(node)}`;
    if (v instanceof Date) return `the date ${shownScalar(node)}`;
  }
  return 'an unsupported value';
}

/** A scalar as written, for a message: escaped and cut. */
export function shownScalar(node: Scalar): string {
  return excerpt(scalarText(node), 40);
}

/** The value as written (for numbers: `010` stays `010` in messages). */
export function scalarText(node: Scalar): string {
  if (typeof node.source === 'string' && node.source !== '') return node.source;
  return String(node.value);
}

export function keyText(pair: Pair): string | null {
  const key = pair.key;
  if (isScalar(key) && key.value !== null && key.value !== undefined && typeof key.value !== 'object') {
    return scalarText(key);
  }
  return null;
}

/** `rules[0].match` + `ports` -> `rules[0].match.ports`; odd keys get quoted. */
export function childPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  const part = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : quote(key);
  if (base === '') return part;
  return /^[A-Za-z_]/.test(part) ? `${base}.${part}` : `${base}[${part}]`;
}

/** "at top level" or "in rules[0].match" for unknown-key messages. */
export function where(path: string): string {
  return path === '' ? 'at top level' : `in ${path}`;
}

export function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + cost);
      diag = up;
    }
  }
  return prev[b.length]!;
}

export function didYouMean(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = levenshtein(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = word.length <= 4 ? 1 : 2;
  return best !== undefined && bestDistance <= limit ? ` (did you mean ${quote(best)}?)` : '';
}

export interface MapEntry {
  key: string;
  pair: Pair;
  /** Dereferenced value node; null for `key:` with nothing after it. */
  value: Node | null;
  path: string;
}

/**
 * The entries of a mapping with known keys; unknown keys are reported (with a
 * did-you-mean) and left out. Returns null (after reporting) if `node` is not a mapping.
 */
export function readMap(
  r: NodeReader,
  node: Node | null,
  path: string,
  allowed: readonly string[] | null,
  fallback?: Node | Pair | null,
): Map<string, MapEntry> | null {
  if (!isMap(node)) {
    r.error(node, `${path || 'policy'}: must be a mapping, got ${describe(node)}`, fallback);
    return null;
  }
  const out = new Map<string, MapEntry>();
  for (const pair of (node).items) {
    const key = keyText(pair);
    if (key === null) {
      r.error(pair.key as Node, `keys must be plain strings ${where(path)}, got ${describe(r.deref(pair.key))}`);
      continue;
    }
    if (out.has(key)) continue; // already reported as a duplicate key by the parser
    if (allowed && !allowed.includes(key)) {
      r.error(pair.key as Node, `unknown key ${quote(key)} ${where(path)}${didYouMean(key, allowed)}; allowed: ${allowed.join(', ')}`);
      continue;
    }
    out.set(key, { key, pair, value: r.deref(pair.value), path: childPath(path, key) });
  }
  return out;
}

/** The items of a list, dereferenced; null (after reporting) if not a list. */
export function readSeq(r: NodeReader, node: Node | null, path: string, fallback?: Node | Pair | null): (Node | null)[] | null {
  if (!isSeq(node)) {
    r.error(node, `${path}: must be a list, got ${describe(node)}`, fallback);
    return null;
  }
  return (node).items.map((item) => r.deref(item));
}

export function readString(r: NodeReader, node: Node | null, path: string, fallback?: Node | Pair | null): string | undefined {
  if (isScalar(node) && typeof node.value === 'string') return node.value;
  r.error(node, `${path}: must be a string, got ${describe(node)}`, fallback);
  return undefined;
}

/** Strings, with numbers and booleans taken as written (tag values: `123` is "123"). */
export function readStringLike(r: NodeReader, node: Node | null, path: string, fallback?: Node | Pair | null): string | undefined {
  if (isScalar(node)) {
    if (typeof node.value === 'string') return node.value;
    if (typeof node.value === 'number' || typeof node.value === 'boolean') return scalarText(node);
  }
  r.error(node, `${path}: must be a string, got ${describe(node)}`, fallback);
  return undefined;
}

/** An integer as YAML 1.2 core reads it (`010` is 10); floats, strings and booleans are refused. */
export function readInt(
  r: NodeReader,
  node: Node | null,
  path: string,
  min: number,
  max: number,
  rangeText: string,
  fallback?: Node | Pair | null,
): number | undefined {
  if (isScalar(node) && typeof node.value === 'number') {
    if (!Number.isInteger(node.value)) {
      r.error(node, `${path}: ${scalarText(node)} is not an integer`, fallback);
      return undefined;
    }
    if (node.value < min || node.value > max) {
      r.error(node, `${path}: ${scalarText(node)} is outside ${rangeText}`, fallback);
      return undefined;
    }
    return node.value;
  }
  r.error(node, `${path}: must be an integer in ${rangeText}, got ${describe(node)}`, fallback);
  return undefined;
}
