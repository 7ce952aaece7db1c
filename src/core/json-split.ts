// Reads a JSON document whose top level is an object, in chunks of bytes, and
// hands over its values one by one: the elements of the arrays named in
// `streamed` one element at a time, the other known keys' values whole, and
// unknown keys' values checked and dropped. Each piece is parsed by JSON.parse, so V8 does
// the parsing and this file only finds where pieces begin and end. A file of
// any size (beyond V8's ~512 MB string limit) is read in bounded memory:
// nothing but the current piece is held.
//
// Syntax errors come with a 1-based line and column. JSON.parse rejects what
// this scanner lets through inside a piece (bad escapes, control characters,
// numbers), so the result is as strict as JSON.parse on the whole file.

import { escapeUnsafe } from './text.js';

export interface SplitHandlers {
  /** A top-level key's whole value (keys not in `streamed`, or a streamed key whose value is not an array). */
  value(key: string, value: unknown): void;
  /** One element of a streamed top-level array. */
  element(key: string, index: number, value: unknown): void;
  /** A streamed top-level array begins (also when it turns out empty). */
  arrayStart?(key: string): void;
}

export interface SplitOptions {
  /** Top-level keys whose array values are handed over element by element. */
  streamed: ReadonlySet<string>;
  /** Other top-level keys whose values are wanted; any other key's value is checked and dropped. */
  wanted: ReadonlySet<string>;
  /** A single piece (element or value) larger than this is refused: a bound on memory. */
  maxPieceBytes?: number;
}

export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${reason} at line ${line} column ${column}`);
    this.name = 'JsonSyntaxError';
  }
}

const DEFAULT_MAX_PIECE = 256 * 1024 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const NEWLINE = 0x0a;

function isSpace(b: number): boolean {
  return b === 0x20 || b === NEWLINE || b === 0x0d || b === 0x09;
}

/** Where the scanner is in the top-level object. */
type Phase =
  | 'start' // before `{`
  | 'key-or-end' // after `{`: a key or `}`
  | 'key' // after `,`: a key
  | 'colon'
  | 'value' // before a value
  | 'after-value' // `,` or `}`
  | 'array-first' // after `[` of a streamed array: an element or `]`
  | 'array-next' // after an element: `,` or `]`
  | 'array-element' // after `,` in a streamed array
  | 'done';

/** Scanning one piece (a key string, a value, an element) that may span chunks. */
interface Piece {
  kind: 'key' | 'value' | 'element' | 'skip';
  /** Bytes of the piece from earlier chunks. */
  parts: Uint8Array[];
  size: number;
  /** Nesting depth inside the piece; 0 for a scalar. */
  depth: number;
  inString: boolean;
  /** The previous string byte was an unescaped backslash. */
  escaped: boolean;
  /** A scalar (number, literal) piece: it ends at a delimiter. */
  scalar: boolean;
  startLine: number;
  startColumn: number;
}

export class JsonTopLevelSplitter {
  private phase: Phase = 'start';
  private piece: Piece | undefined;
  private key = '';
  private index = 0;
  private readonly seenKeys = new Set<string>();
  private readonly maxPiece: number;
  /** Line and column of the next byte to be read (1-based). */
  private line = 1;
  private column = 1;
  private bomChecked = false;

  constructor(
    private readonly options: SplitOptions,
    private readonly handlers: SplitHandlers,
  ) {
    this.maxPiece = options.maxPieceBytes ?? DEFAULT_MAX_PIECE;
  }

  /** Feeds the next bytes of the document. */
  write(chunk: Uint8Array): void {
    let i = 0;
    if (!this.bomChecked && chunk.length > 0) {
      this.bomChecked = true;
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) i = 3;
    }
    while (i < chunk.length) {
      i = this.piece ? this.continuePiece(chunk, i) : this.structural(chunk, i);
    }
  }

  /** The document ended: anything unfinished is an error. */
  end(): void {
    if (this.phase !== 'done') this.fail(this.phase === 'start' ? 'the file is empty; expected a JSON object' : 'unexpected end of file');
  }

  // ---------------------------------------------------------------- between pieces

  private structural(chunk: Uint8Array, start: number): number {
    let i = start;
    while (i < chunk.length) {
      const b = chunk[i] as number;
      if (isSpace(b)) {
        this.advance(b);
        i++;
        continue;
      }
      switch (this.phase) {
        case 'start':
          if (b !== OPEN_BRACE) this.fail('expected a JSON object (the file must start with "{")');
          this.phase = 'key-or-end';
          break;
        case 'key-or-end':
        case 'key':
          if (b === CLOSE_BRACE && this.phase === 'key-or-end') {
            this.phase = 'done';
            break;
          }
          if (b !== QUOTE) this.fail('expected a key in double quotes');
          return this.beginPiece('key', chunk, i);
        case 'colon':
          if (b !== COLON) this.fail('expected ":" after a key');
          this.phase = 'value';
          break;
        case 'value':
          return this.beginValue(chunk, i);
        case 'after-value':
          if (b === COMMA) this.phase = 'key';
          else if (b === CLOSE_BRACE) this.phase = 'done';
          else this.fail('expected "," or "}" after a value');
          break;
        case 'array-first':
        case 'array-element':
          if (b === CLOSE_BRACKET && this.phase === 'array-first') {
            this.phase = 'after-value';
            break;
          }
          return this.beginPiece('element', chunk, i);
        case 'array-next':
          if (b === COMMA) this.phase = 'array-element';
          else if (b === CLOSE_BRACKET) this.phase = 'after-value';
          else this.fail('expected "," or "]" after an array element');
          break;
        case 'done':
          this.fail('unexpected text after the end of the JSON object');
      }
      this.advance(b);
      i++;
    }
    return i;
  }

  private beginValue(chunk: Uint8Array, i: number): number {
    const key = this.key;
    if (this.options.streamed.has(key) && chunk[i] === OPEN_BRACKET) {
      this.handlers.arrayStart?.(key);
      this.index = 0;
      this.phase = 'array-first';
      this.advance(OPEN_BRACKET);
      return i + 1;
    }
    const wanted = this.options.streamed.has(key) || this.options.wanted.has(key);
    return this.beginPiece(wanted ? 'value' : 'skip', chunk, i);
  }

  // ---------------------------------------------------------------- pieces

  private beginPiece(kind: Piece['kind'], chunk: Uint8Array, i: number): number {
    const b = chunk[i] as number;
    const scalar = b !== OPEN_BRACE && b !== OPEN_BRACKET && b !== QUOTE;
    this.piece = {
      kind,
      parts: [],
      size: 0,
      depth: 0,
      inString: false,
      escaped: false,
      scalar,
      startLine: this.line,
      startColumn: this.column,
    };
    return this.continuePiece(chunk, i);
  }

  /** Scans the current piece from `start`; returns where scanning stopped. */
  private continuePiece(chunk: Uint8Array, start: number): number {
    const p = this.piece as Piece;
    let i = start;
    let end = -1; // index just past the piece, when it ends in this chunk
    if (p.scalar) {
      while (i < chunk.length) {
        const b = chunk[i] as number;
        if (b === COMMA || b === CLOSE_BRACE || b === CLOSE_BRACKET || isSpace(b) || (p.kind === 'key' && b === COLON)) {
          end = i;
          break;
        }
        i++;
      }
    } else {
      while (i < chunk.length) {
        const b = chunk[i] as number;
        if (p.inString) {
          if (p.escaped) {
            p.escaped = false;
            i++;
            continue;
          }
          if (b === BACKSLASH) {
            p.escaped = true;
            i++;
            continue;
          }
          if (b === QUOTE) {
            p.inString = false;
            i++;
            if (p.depth === 0) {
              end = i;
              break;
            }
            continue;
          }
          // Skip ahead to the next quote or backslash: strings are most of the text.
          // A plain loop: Buffer.indexOf would look through the rest of the chunk for a backslash that is rarely there.
          i++;
          while (i < chunk.length) {
            const c = chunk[i];
            if (c === QUOTE || c === BACKSLASH) break;
            i++;
          }
          continue;
        }
        if (b === QUOTE) p.inString = true;
        else if (b === OPEN_BRACE || b === OPEN_BRACKET) p.depth++;
        else if (b === CLOSE_BRACE || b === CLOSE_BRACKET) {
          p.depth--;
          if (p.depth === 0) {
            end = i + 1;
            break;
          }
        }
        i++;
      }
    }
    const stop = end < 0 ? chunk.length : end;
    this.countLines(chunk, start, stop);
    if (end < 0) {
      this.keepPart(p, chunk.subarray(start));
      return chunk.length;
    }
    this.piece = undefined;
    const bytes = p.parts.length === 0 ? chunk.subarray(start, end) : concat([...p.parts, chunk.subarray(start, end)], p.size + end - start);
    this.finishPiece(p, bytes);
    return end;
  }

  private keepPart(p: Piece, bytes: Uint8Array): void {
    p.size += bytes.length;
    if (p.size > this.maxPiece) {
      this.fail(`a single value is larger than ${Math.round(this.maxPiece / (1024 * 1024))} MiB`, p.startLine, p.startColumn);
    }
    // Copy: the caller may reuse its chunk buffer.
    p.parts.push(Uint8Array.prototype.slice.call(bytes));
  }

  private finishPiece(p: Piece, bytes: Uint8Array): void {
    switch (p.kind) {
      case 'skip':
        this.parse(p, bytes); // not wanted, but the file must still be JSON
        this.phase = 'after-value';
        return;
      case 'key': {
        const key = this.parse(p, bytes);
        if (typeof key !== 'string') this.fail('expected a key in double quotes', p.startLine, p.startColumn);
        if (this.seenKeys.has(key)) this.fail(`duplicate key ${JSON.stringify(key.slice(0, 40))}`, p.startLine, p.startColumn);
        this.seenKeys.add(key);
        this.key = key;
        this.phase = 'colon';
        return;
      }
      case 'value':
        this.handlers.value(this.key, this.parse(p, bytes));
        this.phase = 'after-value';
        return;
      case 'element':
        this.handlers.element(this.key, this.index++, this.parse(p, bytes));
        this.phase = 'array-next';
        return;
    }
  }

  private parse(p: Piece, bytes: Uint8Array): unknown {
    const text = decoder.decode(bytes);
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      const at = /position (\d+)/.exec((e as Error).message);
      const offset = at ? Number(at[1]) : (jsonErrorOffset(text) ?? text.length);
      const { line, column } = positionIn(text, offset, p.startLine, p.startColumn);
      this.fail(jsonReason((e as Error).message), line, column);
    }
  }

  // ---------------------------------------------------------------- positions

  private advance(b: number): void {
    if (b === NEWLINE) {
      this.line++;
      this.column = 1;
    } else this.column++;
  }

  /** Moves the position over bytes a piece scan passed. Columns count bytes here; close enough for finding the spot. */
  private countLines(chunk: Uint8Array, from: number, to: number): void {
    let last = -1;
    for (let i = from; i < to; i++) {
      if (chunk[i] === NEWLINE) {
        this.line++;
        last = i;
      }
    }
    this.column = last < 0 ? this.column + (to - from) : to - last;
  }

  private fail(reason: string, line = this.line, column = this.column): never {
    throw new JsonSyntaxError(reason, line, column);
  }
}

const decoder = new TextDecoder('utf-8');

function concat(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** V8's reason without its echo of the input (which could be anything, secrets included). */
export function jsonReason(message: string): string {
  const reason = message
    .replace(/\s+(?:in JSON )?at position \d+[\s\S]*$/, '')
    .replace(/, (?:\.\.\.)?"[\s\S]*is not valid JSON$/, '')
    .replace(/^(?:\.\.\.)?"[\s\S]*is not valid JSON$/, 'not valid JSON')
    .replace(/ \(line \d+ column \d+\)$/, '');
  // Only the token V8 names survives, and it is escaped: no raw control character reaches a terminal.
  return escapeUnsafe(reason);
}

function positionIn(text: string, offset: number, line: number, column: number): { line: number; column: number } {
  let l = line;
  let c = column;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === NEWLINE) {
      l++;
      c = 1;
    } else c++;
  }
  return { line: l, column: c };
}

/** Where jsonErrorOffset's scan stopped: thrown to unwind the recursion at once. */
class ScanStop extends Error {
  constructor(readonly offset: number) {
    super(`syntax error at ${offset}`);
  }
}

/** Offset of the first syntax error, for messages only (V8 does not always say where). */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const fail = (): never => {
    throw new ScanStop(i);
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const literal = (word: string): void => {
    for (const ch of word) {
      if (text[i] !== ch) fail();
      i++;
    }
  };
  const string = (): void => {
    i++; // opening quote
    for (;;) {
      if (i >= text.length) fail();
      const c = text.charCodeAt(i);
      if (c === 34) {
        i++;
        return;
      }
      if (c < 0x20) fail();
      if (c === 92) {
        i++;
        const e = text[i];
        if (e === 'u') {
          for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) fail();
          i += 5;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i++;
        else fail();
      } else i++;
    }
  };
  const number = (): void => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) fail();
    i += (m as RegExpExecArray)[0].length;
  };
  const container = (close: string, item: () => void): void => {
    i++;
    ws();
    if (text[i] === close) {
      i++;
      return;
    }
    for (;;) {
      item();
      ws();
      if (text[i] === ',') i++;
      else if (text[i] === close) {
        i++;
        return;
      } else fail();
    }
  };
  const member = (): void => {
    ws();
    if (text[i] !== '"') fail();
    string();
    ws();
    if (text[i] !== ':') fail();
    i++;
    value();
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') container('}', member);
    else if (c === '[') container(']', value);
    else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) number();
    else fail();
  };
  try {
    value();
    ws();
    return i < text.length ? i : undefined;
  } catch (stop) {
    if (stop instanceof ScanStop) return stop.offset;
    return undefined; // e.g. nesting too deep for recursion: no position
  }
}
