// Files are written atomically: to a temporary name beside the target, then
// renamed, so a reader never sees half a file. Reports go all or nothing:
// every target is checked before anything is written, every file is written
// in full first, and only then are they renamed over the old ones; if a
// rename still fails, the ones already renamed are put back. A run that
// fails or is interrupted leaves the previous files as they were and no
// temporary file behind, and temporary files a killed run left are swept.

import { randomBytes } from 'node:crypto';
import { closeSync, copyFileSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserInputError } from '../core/errors.js';
import { interruption } from './interrupt.js';

/** Text as one string or as chunks (large reports are generated piece by piece). */
export type Content = string | Iterable<string>;

export interface ReportFile {
  name: string;
  content: Content;
}

/** Chunks are gathered up to this many characters per write call: under V8's large-object size, so a joined batch dies young instead of piling up until a full collection. */
const WRITE_BATCH = 1 << 16;

function reason(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

function sidePath(path: string, kind: 'tmp' | 'bak'): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.${kind}`);
}

/** Writes `content` into a new file (never an existing one), batching small chunks. */
function writeNewFile(path: string, content: Content): void {
  const fd = openSync(path, 'wx');
  try {
    if (typeof content === 'string') {
      writeSync(fd, content);
      return;
    }
    let batch: string[] = [];
    let size = 0;
    for (const chunk of content) {
      batch.push(chunk);
      size += chunk.length;
      if (size >= WRITE_BATCH) {
        writeSync(fd, batch.join(''));
        batch = [];
        size = 0;
      }
    }
    if (size > 0) writeSync(fd, batch.join(''));
  } finally {
    closeSync(fd);
  }
}

/** A target must be absent or a file we may replace: a directory, socket or device in its place is refused before anything is written. */
function checkTarget(path: string): void {
  let stats;
  try {
    stats = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new UserInputError(`cannot write ${path}: ${reason(e)}`);
  }
  if (!stats.isFile() && !stats.isSymbolicLink()) {
    throw new UserInputError(`cannot write ${path}: ${stats.isDirectory() ? 'a directory' : 'something that is not a file'} is in its place; nothing was written`);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes `.NAME.<pid>.<hex>.tmp|bak` files of the given targets whose process is gone (a run that was killed). */
export function sweepStaleTemps(dir: string, names: readonly string[]): void {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  const wanted = new Set(names);
  for (const entry of entries) {
    const m = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.(?:tmp|bak)$/.exec(entry);
    if (!m || !wanted.has(m[1] as string)) continue;
    const pid = Number(m[2]);
    if (pid !== process.pid && !processAlive(pid)) rmSync(join(dir, entry), { force: true });
  }
}

/** One file, atomically: written beside the target, then renamed over it. */
export function writeFileAtomic(path: string, content: Content): void {
  writeFilesAtomic([{ path, content }], `cannot write ${path}`);
}

export function writeReports(dir: string, files: readonly ReportFile[]): string[] {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UserInputError(`${dir}: cannot create the report folder: ${reason(e)}`);
  }
  const targets = files.map((f) => ({ path: join(dir, f.name), content: f.content }));
  writeFilesAtomic(targets, `${dir}: cannot write reports`);
  return targets.map((t) => t.path);
}

interface Staged {
  path: string;
  temp: string;
  backup?: string;
  renamed: boolean;
}

function writeFilesAtomic(targets: ReadonlyArray<{ path: string; content: Content }>, failure: string): void {
  const stop = interruption();
  for (const t of targets) checkTarget(t.path);
  for (const folder of new Set(targets.map((t) => dirname(t.path)))) {
    sweepStaleTemps(folder, targets.filter((t) => dirname(t.path) === folder).map((t) => basename(t.path)));
  }
  const staged: Staged[] = [];
  const discard = (): void => {
    for (const s of staged) {
      if (!s.renamed) rmSync(s.temp, { force: true });
      if (s.backup) rmSync(s.backup, { force: true });
      stop.untrackTemp(s.temp);
      if (s.backup) stop.untrackTemp(s.backup);
    }
  };
  try {
    for (const t of targets) {
      const s: Staged = { path: t.path, temp: sidePath(t.path, 'tmp'), renamed: false };
      staged.push(s);
      stop.trackTemp(s.temp);
      writeNewFile(s.temp, t.content);
      stop.throwIfRequested();
    }
  } catch (e) {
    discard();
    if (e instanceof UserInputError || stop.requested) throw e;
    throw new UserInputError(`${failure}: ${reason(e)}; nothing was replaced`);
  }
  try {
    renameAll(staged);
  } finally {
    discard();
  }
}

/** Renames every temp over its target, or none: on a failure, the targets already replaced get their old content back. */
function renameAll(staged: Staged[]): void {
  const stop = interruption();
  for (const s of staged) {
    if (!exists(s.path)) continue;
    s.backup = sidePath(s.path, 'bak');
    stop.trackTemp(s.backup);
    try {
      linkSync(s.path, s.backup);
    } catch {
      copyFileSync(s.path, s.backup); // a file system without hard links
    }
  }
  try {
    for (const s of staged) {
      renameSync(s.temp, s.path);
      s.renamed = true;
    }
  } catch (e) {
    for (const s of staged) {
      if (!s.renamed) continue;
      if (s.backup) renameSync(s.backup, s.path);
      else rmSync(s.path, { force: true });
      s.backup = undefined;
    }
    throw new UserInputError(`cannot replace ${staged.find((s) => !s.renamed)?.path ?? 'a report'}: ${reason(e)}; the previous files were restored`);
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
