// `npm run bench`: every benchmark, figures printed, nothing asserted.
//   npm run bench                 everything (several minutes: the 1M-instance scale run is the longest)
//   npm run bench -- engine       the engine only (add `300000` to stop the scale run there)
//   npm run bench -- collector    one account against the emulator
//   npm run bench -- organization 50 accounts against the emulator
import { runEngineBench } from './engine.js';

const [only, limit] = process.argv.slice(2);
if (!only || only === 'engine') runEngineBench(limit !== undefined ? { scaleTo: Number(limit) } : {});
if (!only || only === 'collector') {
  const { runCollectorBench } = await import('./collector.js');
  await runCollectorBench();
}
if (!only || only === 'organization') {
  const { runOrganizationBench } = await import('./organization.js');
  await runOrganizationBench();
}
