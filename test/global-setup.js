// Before any test: the end-to-end tests run the built CLI (dist/), so a build
// older than its sources would test yesterday's code. Build when any source,
// rule pack or package.json is newer than the oldest built file.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

function files(dir, keep) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && keep(e.name))
    .map((e) => join(e.parentPath ?? e.path, e.name));
}

function newestSource() {
  const sources = [...files(join(root, 'src'), (n) => n.endsWith('.ts')), join(root, 'package.json'), join(root, 'tsconfig.json'), join(root, 'tsconfig.build.json')];
  return Math.max(...sources.map((f) => statSync(f).mtimeMs));
}

function oldestBuilt() {
  const built = files(join(root, 'dist'), (n) => n.endsWith('.js'));
  return built.length === 0 ? -Infinity : Math.min(...built.map((f) => statSync(f).mtimeMs));
}

export default function globalSetup() {
  if (oldestBuilt() >= newestSource()) return;
  process.stderr.write('\ndist/ is older than src/: building first (npm run build)\n');
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
}
