// The package as users get it, without a network: `npm pack`, then an install
// into a fresh project from the npm cache alone (`npm ci --offline`), or from a
// registry on 127.0.0.1 that serves the packed tarball and, from the npm cache,
// every dependency at the version this repository's lockfile pins.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { REPO } from '../cli/run-cli.js';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** A command's status and output; never rejects. */
export function run(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; stdin?: string }): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(file, args, { cwd: options.cwd, env: options.env ?? process.env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
    if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  });
}

async function mustRun(file: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<string> {
  const r = await run(file, args, options);
  if (r.code !== 0) throw new Error(`${file} ${args.join(' ')} exited with ${r.code}:\n${r.stderr}`);
  return r.stdout;
}

/** npm for the tests: no audit, fund or update checks (each would be a request). */
export function npmEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', ...extra };
}

export interface Packed {
  tarball: string;
  /** Paths inside the package, as `npm pack --json` lists them. */
  files: string[];
}

/**
 * `npm pack` of this repository. `--ignore-scripts`: the jest global setup has
 * already built dist/ from src/, and the `prepare` build would rewrite dist/
 * under the other test files that run the CLI from it at the same time.
 */
export async function packRepo(destination: string): Promise<Packed> {
  const out = await mustRun('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', destination], { cwd: REPO, env: npmEnv() });
  const [info] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
  if (!info) throw new Error('npm pack listed no package');
  return { tarball: join(destination, info.filename), files: info.files.map((f) => f.path) };
}

interface LockEntry {
  version: string;
  name?: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  link?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, unknown>;
  bin?: Record<string, string> | string;
  engines?: Record<string, string>;
  license?: string;
  [key: string]: unknown;
}

interface Lockfile {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
}

interface RepoPackage {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  bin: Record<string, string>;
  engines: Record<string, string>;
  license: string;
}

export const repoPackage = (): RepoPackage => JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as RepoPackage;
const repoLock = (): Lockfile => JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as Lockfile;

/** The name an entry installs as: `node_modules/@scope/name` (possibly nested) is @scope/name. */
function packageName(key: string, entry: LockEntry): string {
  return entry.name ?? key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

/** The production dependencies of this repository's lockfile: what installing portolan brings. */
function productionEntries(): Array<[string, LockEntry]> {
  return Object.entries(repoLock().packages).filter(([key, entry]) => key !== '' && entry.dev !== true && entry.link !== true);
}

function sha512(file: string): string {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

export interface NpmConfig {
  cache: string;
  registry: string;
}

export async function npmConfig(): Promise<NpmConfig> {
  const out = await mustRun('npm', ['config', 'get', 'cache', 'registry'], { cwd: REPO, env: npmEnv() });
  const value = (key: string): string => {
    const line = out.split('\n').find((l) => l.startsWith(`${key}=`));
    if (!line) throw new Error(`npm config get printed no ${key}: ${out}`);
    return line.slice(key.length + 1).trim();
  };
  return { cache: value('cache'), registry: value('registry') };
}

/**
 * A user's project depending on the tarball, with a lockfile that pins every
 * dependency to this repository's lockfile (name, version, integrity), so that
 * `npm ci --offline` installs it from the npm cache that this repository's own
 * `npm ci` filled. The lockfile leaves out `resolved` for registry packages
 * (omit-lockfile-registry-resolved); npm needs it to skip the registry
 * metadata, so it is written in the registry's usual tarball form.
 */
export function writeOfflineProject(project: string, tarball: string, registry: string): void {
  const pkg = repoPackage();
  const base = registry.endsWith('/') ? registry : `${registry}/`;
  const spec = `file:${tarball}`;
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', version: '1.0.0', dependencies: { [pkg.name]: spec } },
    [`node_modules/${pkg.name}`]: { version: pkg.version, resolved: spec, integrity: sha512(tarball), license: pkg.license, dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines },
  };
  for (const [key, entry] of productionEntries()) {
    const name = packageName(key, entry);
    const file = `${name.split('/').at(-1)!}-${entry.version}.tgz`;
    packages[key] = { ...entry, resolved: entry.resolved ?? `${base}${name}/-/${file}` };
  }
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, dependencies: { [pkg.name]: spec } }, null, 2)}\n`);
  writeFileSync(join(project, 'package-lock.json'), `${JSON.stringify({ name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`);
}

export async function installOffline(project: string): Promise<Run> {
  return run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: project, env: npmEnv() });
}

// ------------------------------------------------------------ local registry

export interface LocalRegistry {
  /** http://127.0.0.1:PORT/ */
  url: string;
  /** Every request path, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Where cacache (npm's cache) keeps the content with this integrity. */
function cachedContent(cache: string, integrity: string): string {
  const sha = integrity.split(/\s+/).find((i) => i.startsWith('sha512-'));
  if (!sha) throw new Error(`no sha512 integrity: ${integrity}`);
  const hex = Buffer.from(sha.slice('sha512-'.length), 'base64').toString('hex');
  return join(cache, '_cacache', 'content-v2', 'sha512', hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
}

/**
 * An npm registry on 127.0.0.1 holding the packed portolan and, read from the
 * npm cache, every production dependency at the versions the lockfile pins:
 * what a fresh runner's `npm install portolan@VERSION` reaches.
 */
export async function startLocalRegistry(tarball: string, cache: string): Promise<LocalRegistry> {
  const pkg = repoPackage();
  const tarballs = new Map<string, () => Buffer>();
  const packuments = new Map<string, { name: string; versions: Record<string, unknown> }>();
  let url = '';
  const add = (name: string, version: string, meta: Record<string, unknown>, integrity: string, read: () => Buffer): void => {
    const path = `/-/tarballs/${tarballs.size + 1}.tgz`;
    tarballs.set(path, read);
    const doc = packuments.get(name) ?? { name, versions: {} };
    doc.versions[version] = { ...meta, name, version, dist: { tarball: `${url}${path.slice(1)}`, integrity } };
    packuments.set(name, doc);
  };
  const server = createServer();
  const requests: string[] = [];
  server.on('request', (req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    requests.push(path);
    const read = tarballs.get(path);
    if (read) {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(read());
      return;
    }
    const doc = packuments.get(path.slice(1));
    if (!doc || req.method !== 'GET') {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    const versions = Object.keys(doc.versions);
    const latest = versions.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).at(-1)!;
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ ...doc, 'dist-tags': { latest } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  add(pkg.name, pkg.version, { dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines, license: pkg.license }, sha512(tarball), () => readFileSync(tarball));
  for (const [key, entry] of productionEntries()) {
    if (!entry.integrity) throw new Error(`${key}: no integrity in package-lock.json`);
    const file = cachedContent(cache, entry.integrity);
    if (!existsSync(file)) throw new Error(`${key}@${entry.version} is not in the npm cache (${cache}): run npm ci first`);
    const { dependencies, optionalDependencies, peerDependencies, peerDependenciesMeta, bin, engines, license } = entry;
    add(packageName(key, entry), entry.version, { dependencies, optionalDependencies, peerDependencies, peerDependenciesMeta, bin, engines, license }, entry.integrity, () => readFileSync(file));
  }
  return {
    url,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
