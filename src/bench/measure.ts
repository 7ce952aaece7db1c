// Child-process probe for benchmarks: runs one job in a fresh process and
// prints {wallMs, maxRssMB} as its last stderr line, so each figure is the
// whole cost of that job and nothing else pollutes it.
//   node dist/bench/measure.js parse FILE
//   node dist/bench/measure.js cli ARGS...   (the real portolan CLI)

import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const [mode, ...rest] = process.argv.slice(2);
const started = performance.now();
process.on('exit', () => {
  const wallMs = performance.now() - started;
  const maxRssMB = process.resourceUsage().maxRSS / 1024;
  process.stderr.write(`\n${JSON.stringify({ wallMs, maxRssMB })}\n`);
});

if (mode === 'parse') {
  const data = JSON.parse(readFileSync(rest[0] ?? '', 'utf8')) as { instances: unknown };
  if (!Array.isArray(data.instances)) throw new Error('no instances');
} else if (mode === 'cli') {
  process.argv = [process.execPath, 'portolan', ...rest];
  await import('../cli/main.js');
} else {
  throw new Error(`unknown mode ${mode}`);
}
