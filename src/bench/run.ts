// `npm run bench`: every benchmark, figures printed, nothing asserted.
import { runEngineBench } from './engine.js';

const only = process.argv[2];
if (!only || only === 'engine') runEngineBench();
if (!only || only === 'collector') {
  const { runCollectorBench } = await import('./collector.js');
  await runCollectorBench();
}
