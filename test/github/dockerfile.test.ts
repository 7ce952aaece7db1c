// The Dockerfile, linted offline: no Docker engine runs here, so the file is
// checked as text. dockerfile-utils (the Docker language server's validator)
// catches what `docker build` would refuse; the rules below, over the
// dockerfile-ast parse, are the ones that matter for this image: stages,
// pinned base, non-root user, npm ci, what the runtime holds, no secrets.
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { REPO } from '../cli/run-cli.js';

const require = createRequire(import.meta.url);
// CommonJS (UMD) packages: required, not imported.
const { DockerfileParser } = require('dockerfile-ast') as typeof import('dockerfile-ast');
const utils = require('dockerfile-utils') as typeof import('dockerfile-utils');

type Instruction = import('dockerfile-ast').Instruction;

const DOCKERFILE = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
const DOCKERIGNORE = readFileSync(join(REPO, '.dockerignore'), 'utf8');

/** Every optional check of the validator, as an error. */
function lintDiagnostics(text: string): string[] {
  const error = utils.ValidationSeverity.ERROR;
  const settings = {
    deprecatedMaintainer: error,
    directiveCasing: error,
    emptyContinuationLine: error,
    instructionCasing: error,
    instructionCmdMultiple: error,
    instructionEntrypointMultiple: error,
    instructionHealthcheckMultiple: error,
    instructionJSONInSingleQuotes: error,
    instructionWorkdirRelative: error,
  };
  return utils.validate(text, settings).map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1}: ${typeof d.message === 'string' ? d.message : d.message.value}`);
}

interface Stage {
  name: string | null;
  image: string;
  tag: string | null;
  digest: string | null;
  instructions: Instruction[];
}

function stages(text: string): Stage[] {
  const out: Stage[] = [];
  const file = DockerfileParser.parse(text);
  const froms = new Map(file.getFROMs().map((f) => [f.getRange().start.line, f]));
  for (const instruction of file.getInstructions()) {
    const from = froms.get(instruction.getRange().start.line);
    if (from) {
      out.push({ name: from.getBuildStage(), image: from.getImageName() ?? '', tag: from.getImageTag(), digest: from.getImageDigest(), instructions: [] });
    } else {
      out.at(-1)?.instructions.push(instruction);
    }
  }
  return out;
}

const args = (i: Instruction): string[] => i.getArguments().map((a) => a.getValue());
const flags = (i: Instruction): Record<string, string | null> =>
  'getFlags' in i ? Object.fromEntries((i as import('dockerfile-ast').Copy).getFlags().map((f) => [f.getName(), f.getValue()])) : {};
const at = (i: Instruction): string => `line ${i.getRange().start.line + 1}`;

/** What the runtime stage may hold: the published package's runtime files, production dependencies. */
const RUNTIME_FILES = ['node_modules', 'dist', 'rules', 'docs', 'package.json', 'LICENSE'];
const SECRET_NAME = /SECRET|PASSWORD|PASSWD|TOKEN|CREDENTIAL|PRIVATE|ACCESS_KEY|API_KEY|AUTH/i;

/** The rules that matter for this image; one message per breach. */
function problems(text: string): string[] {
  const found: string[] = [];
  const all = stages(text);
  if (all.length < 2) return ['not a multi-stage build'];
  const names = new Set(all.map((s) => s.name).filter((n): n is string => n !== null));
  const final = all.at(-1)!;

  for (const stage of all) {
    if (!names.has(stage.image)) {
      if (stage.digest === null && (stage.tag === null || stage.tag === 'latest')) found.push(`FROM ${stage.image}: pin a tag (not latest) or a digest`);
    }
    for (const i of stage.instructions) {
      const keyword = i.getKeyword();
      const content = i.getArgumentsContent() ?? '';
      if (keyword === 'ADD') found.push(`${at(i)}: ADD; use COPY (ADD fetches URLs and unpacks archives)`);
      if (keyword === 'RUN' && /\bnpm (install|i|update)\b/.test(content)) found.push(`${at(i)}: npm install; use npm ci (the lockfile, exactly)`);
      if (keyword === 'RUN' && /\b(curl|wget)\b/.test(content)) found.push(`${at(i)}: downloads outside the package manager`);
      if (keyword === 'ENV' || keyword === 'ARG') {
        for (const arg of args(i)) {
          const name = arg.split('=')[0]!;
          if (SECRET_NAME.test(name)) found.push(`${at(i)}: ${keyword} ${name} looks like a secret; pass it at run time`);
          if (/AKIA[0-9A-Z]{16}/.test(arg)) found.push(`${at(i)}: an AWS access key id in ${keyword}`);
        }
      }
      if (keyword === 'COPY' && flags(i)['from'] === undefined && args(i).slice(0, -1).some((a) => a === '.' || a === './')) found.push(`${at(i)}: COPY of the whole context`);
    }
  }

  const builds = all.filter((s) => s !== final);
  const runs = (s: Stage): string[] => s.instructions.filter((i) => i.getKeyword() === 'RUN').map((i) => i.getArgumentsContent() ?? '');
  if (!builds.some((s) => runs(s).some((r) => /\bnpm ci\b/.test(r)) && runs(s).some((r) => /\bnpm run build\b/.test(r)))) found.push('no build stage runs npm ci and npm run build');
  if (runs(final).some((r) => /\bnpm\b/.test(r))) found.push('the runtime stage runs npm');

  // The runtime: production dependencies from a stage that installed them with --omit=dev, and the package's files.
  const copies = final.instructions.filter((i) => i.getKeyword() === 'COPY');
  const copied: string[] = [];
  for (const copy of copies) {
    const from = flags(copy)['from'];
    const sources = args(copy).slice(0, -1);
    const target = args(copy).at(-1)!;
    for (const source of sources) {
      const name = from !== undefined ? target.replace(/^\.\//, '').replace(/\/$/, '') : source.replace(/\/$/, '');
      if (from !== undefined && name === 'node_modules') {
        const origin = all.find((s) => s.name === from);
        if (!origin || !runs(origin).some((r) => /\bnpm ci\b.*--omit=dev/.test(r))) found.push(`node_modules come from stage ${String(from)}, which does not run npm ci --omit=dev`);
      }
      copied.push(from !== undefined ? name : source.replace(/\/$/, ''));
    }
  }
  const extra = copied.filter((c) => !RUNTIME_FILES.includes(c));
  const missing = RUNTIME_FILES.filter((f) => !copied.includes(f));
  if (extra.length > 0) found.push(`the runtime holds more than it needs: ${extra.join(', ')}`);
  if (missing.length > 0) found.push(`the runtime lacks ${missing.join(', ')}`);

  const users = final.instructions.filter((i) => i.getKeyword() === 'USER');
  const user = users.at(-1) ? args(users.at(-1)!)[0] ?? '' : '';
  if (user === '' || /^(root|0)(:|$)/.test(user)) found.push(`the runtime runs as ${user || 'root (no USER)'}; use a non-root user`);
  const last = (keyword: string): unknown => {
    const i = final.instructions.filter((x) => x.getKeyword() === keyword).at(-1);
    if (!i) return undefined;
    try {
      return JSON.parse(i.getArgumentsContent() ?? '') as unknown;
    } catch {
      return `shell form: ${i.getArgumentsContent() ?? ''}`;
    }
  };
  const entrypoint = last('ENTRYPOINT');
  if (JSON.stringify(entrypoint) !== JSON.stringify(['node', '/app/dist/cli/main.js'])) found.push(`ENTRYPOINT is ${JSON.stringify(entrypoint)}, not ["node", "/app/dist/cli/main.js"]`);
  const cmd = last('CMD');
  if (!Array.isArray(cmd)) found.push(`CMD is ${JSON.stringify(cmd)}, not an exec-form list`);
  return found;
}

describe('Dockerfile', () => {
  test('the Docker language server\'s validator finds nothing, with every optional check on', () => {
    expect(lintDiagnostics(DOCKERFILE)).toEqual([]);
  });

  test.each([
    ['a malformed image tag', DOCKERFILE.replace('FROM node:22.21-bookworm-slim AS base', 'FROM node:-22.21-bookworm-slim AS base')],
    ['a FROM with a stage name but no AS', DOCKERFILE.replace('FROM base AS build', 'FROM base build')],
    ['a relative WORKDIR', DOCKERFILE.replace('WORKDIR /app\nCOPY --from', 'WORKDIR app\nCOPY --from')],
    ['a COPY without a destination', DOCKERFILE.replace('COPY rules ./rules', 'COPY rules')],
    ['a lowercase instruction', DOCKERFILE.replace('USER 1000:1000', 'user 1000:1000')],
    ['two ENTRYPOINTs', DOCKERFILE.replace('CMD ["--help"]', 'ENTRYPOINT ["sh"]\nCMD ["--help"]')],
  ])('the validator catches %s (it can fail)', (_label, broken) => {
    expect(broken).not.toBe(DOCKERFILE);
    expect(lintDiagnostics(broken).length).toBeGreaterThan(0);
  });

  test('multi-stage, pinned base, npm ci, non-root, only the runtime files, the CLI as ENTRYPOINT, no secrets', () => {
    expect(problems(DOCKERFILE)).toEqual([]);
    const all = stages(DOCKERFILE);
    expect(all.map((s) => s.name)).toEqual(['base', 'build', 'deps', 'runtime']);
    expect(all[0]).toMatchObject({ image: 'node', tag: expect.stringMatching(/^22(\.\d+){0,2}-(bookworm-)?slim$/) });
  });

  test.each([
    ['a single stage', 'FROM node:20-slim\nUSER node\nENTRYPOINT ["node", "/app/dist/cli/main.js"]\nCMD ["--help"]\n', 'not a multi-stage build'],
    ['an unpinned base', DOCKERFILE.replace('FROM node:22.21-bookworm-slim AS base', 'FROM node AS base'), 'FROM node: pin a tag'],
    ['the latest tag', DOCKERFILE.replace('FROM node:22.21-bookworm-slim AS base', 'FROM node:latest AS base'), 'FROM node: pin a tag'],
    ['root at run time', DOCKERFILE.replace('USER 1000:1000', 'USER root'), 'the runtime runs as root'],
    ['no USER', DOCKERFILE.replace('USER 1000:1000\n', ''), 'the runtime runs as root (no USER)'],
    ['npm install', DOCKERFILE.replace('RUN npm ci --ignore-scripts', 'RUN npm install --ignore-scripts'), 'npm install; use npm ci'],
    ['dev dependencies at run time', DOCKERFILE.replace('COPY --from=deps /app/node_modules', 'COPY --from=build /src/node_modules'), 'which does not run npm ci --omit=dev'],
    ['ADD of a URL', DOCKERFILE.replace('COPY docs ./docs', 'ADD https://example.invalid/docs.tgz ./docs'), 'ADD; use COPY'],
    ['a secret in ENV', DOCKERFILE.replace('ENV NODE_ENV=production', 'ENV AWS_SECRET_ACCESS_KEY=abc NODE_ENV=production'), 'looks like a secret'],
    ['the sources at run time', DOCKERFILE.replace('COPY docs ./docs', 'COPY docs ./docs\nCOPY src ./src'), 'more than it needs: src'],
    ['the whole context', DOCKERFILE.replace('COPY src ./src', 'COPY . .'), 'COPY of the whole context'],
    ['no docs', DOCKERFILE.replace('COPY docs ./docs\n', ''), 'the runtime lacks docs'],
    ['a shell-form ENTRYPOINT', DOCKERFILE.replace('ENTRYPOINT ["node", "/app/dist/cli/main.js"]', 'ENTRYPOINT node /app/dist/cli/main.js'), 'ENTRYPOINT is "shell form'],
  ])('the rules catch %s (they can fail)', (_label, broken, expected) => {
    expect(broken).not.toBe(DOCKERFILE);
    expect(problems(broken).join('\n')).toContain(expected);
  });

  test('the build stage drops the benchmarks, as the npm package does', () => {
    const build = stages(DOCKERFILE).find((s) => s.name === 'build')!;
    expect(build.instructions.some((i) => /npm run build && rm -rf dist\/bench/.test(i.getArgumentsContent() ?? ''))).toBe(true);
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).toContain('!dist/bench');
  });
});

describe('.dockerignore', () => {
  const lines = DOCKERIGNORE.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));

  test('keeps node_modules, dist, reports, .git and local settings out of the build context', () => {
    for (const entry of ['node_modules', 'dist', 'reports', '.git', '.npmrc', '.env']) expect(lines).toContain(entry);
  });

  test('ignores nothing the Dockerfile copies from the context', () => {
    const fromContext = stages(DOCKERFILE)
      .flatMap((s) => s.instructions)
      .filter((i) => i.getKeyword() === 'COPY' && flags(i)['from'] === undefined)
      .flatMap((i) => args(i).slice(0, -1));
    expect(fromContext.length).toBeGreaterThan(0);
    for (const source of fromContext) expect(lines).not.toContain(source.split('/')[0]);
  });
});
