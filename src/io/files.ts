// Reading the files a user names (inventories, policies, baselines): only
// regular files (or `-`, standard input, where a stream is meant), and never
// more than a stated cap, so `/dev/zero`, a FIFO or a directory is one clear
// line instead of a hang or an exhausted memory.

import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { UserInputError } from '../core/errors.js';

const GiB = 1024 * 1024 * 1024;
const MiB = 1024 * 1024;

/** An inventory of a few GB is plausible (an organization's shard); beyond this it is not an inventory. */
export const INVENTORY_MAX_BYTES = 8 * GiB;
/** A previous JSON report, for --baseline: as large as the inventories it came from. */
export const BASELINE_MAX_BYTES = 8 * GiB;
/** Policies are written by people; a few hundred rules fit in far less. */
export const POLICY_MAX_BYTES = 4 * MiB;

const CHUNK_BYTES = 4 * MiB;

export function formatBytes(n: number): string {
  return n >= GiB ? `${n / GiB} GiB` : `${n / MiB} MiB`;
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a pipe (FIFO)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

function failure(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EISDIR: 'is a directory',
    EACCES: 'permission denied',
    ENOTDIR: 'a parent is not a directory',
    ELOOP: 'too many symbolic links',
  };
  if (code !== undefined) return `${code} (${reasons[code] ?? (e as Error).message})`;
  return e instanceof Error ? e.message : String(e);
}

/** Why a path cannot be read as a file, or undefined when it can. */
function openRegular(path: string): { fd: number; size: number } | string {
  let fd: number;
  try {
    // Non-blocking: opening a FIFO must not wait for a writer.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    return failure(e);
  }
  const stats = fstatSync(fd);
  if (!stats.isFile()) {
    closeSync(fd);
    return `${kindOf(stats)}, not a file`;
  }
  return { fd, size: stats.size };
}

function tooLarge(path: string, what: string, max: number): UserInputError {
  return new UserInputError(`${path}: ${what} is larger than ${formatBytes(max)}, the most Portolan reads for it`);
}

/**
 * The bytes of a regular file, or of standard input for `-`, chunk by
 * chunk, at most `maxBytes` in all. Problems are UserInputError lines
 * naming the path.
 */
export async function* readChunks(path: string, what: string, maxBytes: number): AsyncGenerator<Uint8Array> {
  if (path === '-') {
    yield* readStdin(what, maxBytes);
    return;
  }
  const opened = openRegular(path);
  if (typeof opened === 'string') throw new UserInputError(`${path}: cannot read ${what}: ${opened}`);
  const { fd, size } = opened;
  try {
    if (size > maxBytes) throw tooLarge(path, what, maxBytes);
    let total = 0;
    for (;;) {
      // A fresh buffer each time: the consumer may keep a chunk until the next one is read.
      const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
      const n = readSync(fd, buffer, 0, CHUNK_BYTES, null);
      if (n === 0) return;
      total += n;
      if (total > maxBytes) throw tooLarge(path, what, maxBytes); // a file that grows, or /proc
      yield buffer.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

async function* readStdin(what: string, maxBytes: number): AsyncGenerator<Uint8Array> {
  if (process.stdin.isTTY) throw new UserInputError(`-: standard input is a terminal; pipe ${what} into it (e.g. portolan collect --out - | portolan audit --input -)`);
  let total = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) throw tooLarge('-', what, maxBytes);
    yield chunk;
  }
}

/** A small text file (a policy), read whole: a regular file of at most `maxBytes`. */
export function readTextFile(path: string, maxBytes: number): string {
  const opened = openRegular(path);
  if (typeof opened === 'string') throw Object.assign(new Error(opened), { code: 'EUNREADABLE', detail: opened });
  const { fd } = opened;
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buffer = Buffer.allocUnsafe(64 * 1024);
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) throw Object.assign(new Error(`larger than ${formatBytes(maxBytes)}`), { code: 'ETOOBIG', detail: `larger than ${formatBytes(maxBytes)}, the most Portolan reads for a policy` });
      chunks.push(buffer.subarray(0, n));
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Why readTextFile failed, in words: `ENOENT (no such file or directory)`, `a directory, not a file`. */
export function readFailure(e: unknown): string {
  const detail = (e as { detail?: unknown }).detail;
  return typeof detail === 'string' ? detail : failure(e);
}

/** Standard input as text, at most `maxBytes` (a policy piped in with `--policy -`). */
export async function readStdinText(what: string, maxBytes: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of readStdin(what, maxBytes)) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
