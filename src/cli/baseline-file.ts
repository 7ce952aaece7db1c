// `--baseline FILE`: a previous JSON report, read as a stream (a report of a
// large fleet can be hundreds of megabytes); only its version and findings
// are kept. Anything that is not a Portolan report is a usage error.

import { BaselineReader, type Baseline } from '../core/baseline.js';
import { UserInputError } from '../core/errors.js';
import { JsonSyntaxError, JsonTopLevelSplitter } from '../core/json-split.js';
import { BASELINE_MAX_BYTES, readChunks } from '../io/files.js';

export async function readBaselineFile(path: string): Promise<Baseline> {
  const reader = new BaselineReader();
  const splitter = new JsonTopLevelSplitter(
    { streamed: new Set(['findings']), wanted: new Set(['version']) },
    {
      value: (key, value) => {
        if (key === 'version') reader.version(value);
        else reader.findingsNotAList();
      },
      element: (_key, index, value) => {
        reader.finding(value, index);
      },
      arrayStart: () => {
        reader.findingsList();
      },
    },
  );
  try {
    for await (const chunk of readChunks(path, 'the baseline report', BASELINE_MAX_BYTES)) splitter.write(chunk);
    splitter.end();
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new UserInputError(`${path}: the baseline report is not valid JSON: ${e.message}`);
    if (e instanceof UserInputError && e.lines.every((l) => l.startsWith('baseline:'))) throw new UserInputError(e.lines.map((l) => `${path}: ${l}`));
    throw e;
  }
  try {
    return reader.finish();
  } catch (e) {
    if (e instanceof UserInputError) throw new UserInputError(e.lines.map((l) => `${path}: ${l}`));
    throw e;
  }
}
