// Files are written atomically: to a temporary name beside the target, then
// renamed, so a reader never sees half a file. Reports go all or nothing:
// every file is written first and only then are they renamed over the old
// ones, so a failed run leaves the previous reports as they were.

import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserInputError } from '../core/errors.js';

export interface ReportFile {
  name: string;
  content: string;
}

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

function reason(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

export function writeFileAtomic(path: string, content: string): void {
  const temp = tempPathFor(path);
  try {
    writeFileSync(temp, content, { encoding: 'utf8', flag: 'wx' });
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw new UserInputError(`cannot write ${path}: ${reason(e)}`);
  }
}

export function writeReports(dir: string, files: readonly ReportFile[]): string[] {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UserInputError(`${dir}: cannot create the report folder: ${reason(e)}`);
  }
  const written: Array<{ temp: string; final: string }> = [];
  try {
    for (const f of files) {
      const final = join(dir, f.name);
      const temp = tempPathFor(final);
      writeFileSync(temp, f.content, { encoding: 'utf8', flag: 'wx' });
      written.push({ temp, final });
    }
  } catch (e) {
    for (const w of written) rmSync(w.temp, { force: true });
    throw new UserInputError(`${dir}: cannot write reports: ${reason(e)}`);
  }
  for (const w of written) renameSync(w.temp, w.final);
  return written.map((w) => w.final);
}
