// Reports are written atomically, all or nothing: every file goes to a temp
// name in the target folder first, and only when all of them are written are
// they renamed over the old ones. A failed run leaves the previous reports.

import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserInputError } from '../core/errors.js';

export interface ReportFile {
  name: string;
  content: string;
}

export function writeFileAtomic(path: string, content: string): void {
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(temp, content);
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}

export function writeReports(dir: string, files: readonly ReportFile[]): string[] {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new UserInputError(`${dir}: cannot create the report folder: ${(e as Error).message}`);
  }
  const temps: Array<{ temp: string; final: string }> = [];
  try {
    for (const f of files) {
      const final = join(dir, f.name);
      const temp = `${final}.${process.pid}.tmp`;
      writeFileSync(temp, f.content);
      temps.push({ temp, final });
    }
  } catch (e) {
    for (const t of temps) rmSync(t.temp, { force: true });
    throw new UserInputError(`${dir}: cannot write reports: ${(e as Error).message}`);
  }
  for (const t of temps) renameSync(t.temp, t.final);
  return temps.map((t) => t.final);
}
