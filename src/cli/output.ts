// Everything the CLI prints goes through here. Text for people (summaries,
// errors, progress) is escaped on its way out: it carries untrusted values
// (instance names, AWS error text, policy scalars), and a terminal must not
// take them as commands. Data (`--out -`) is written as is. A reader that
// goes away (`| head -1`) ends our output quietly: the run carries on and
// keeps its own exit status.

import { escapeUnsafe } from '../core/text.js';

export interface OutputStream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
  on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
}

export interface Output {
  /** True once the reader went away; later writes are dropped. */
  readonly closed: boolean;
  readonly isTTY: boolean;
  readonly columns: number | undefined;
  /** People's text: each line escaped, a newline added when missing. */
  line(text: string): void;
  /** Data or our own control sequences, exactly as given. */
  write(text: string): void;
}

const GONE = new Set(['EPIPE', 'ERR_STREAM_DESTROYED', 'ECONNRESET']);

/** One line of people's text, every unsafe character escaped, tabs kept. */
export function escapeLine(text: string): string {
  return escapeUnsafe(text.replace(/\t/g, ' '));
}

export function createOutput(stream: OutputStream): Output {
  let closed = false;
  stream.on('error', (error) => {
    if (GONE.has(error.code ?? '')) closed = true;
    else throw error;
  });
  const raw = (text: string): void => {
    if (closed || text === '') return;
    try {
      stream.write(text);
    } catch (error) {
      if (GONE.has((error as NodeJS.ErrnoException).code ?? '')) closed = true;
      else throw error;
    }
  };
  return {
    get closed() {
      return closed;
    },
    isTTY: Boolean(stream.isTTY),
    columns: stream.columns,
    line: (text) => {
      const body = text.endsWith('\n') ? text.slice(0, -1) : text;
      raw(`${body.split('\n').map(escapeLine).join('\n')}\n`);
    },
    write: raw,
  };
}

let stdoutOutput: Output | undefined;
let stderrOutput: Output | undefined;

export function stdout(): Output {
  stdoutOutput ??= createOutput(process.stdout);
  return stdoutOutput;
}

export function stderr(): Output {
  stderrOutput ??= createOutput(process.stderr);
  return stderrOutput;
}
