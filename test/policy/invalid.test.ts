// The invalid-policy corpus: each file in test/policy/invalid/ and the exact
// lines `loadPolicy` reports for it (paths relative to the repo root, where
// jest runs). Every file must be listed, and every listed file must exist.

import { describe, expect, it } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { PolicyError } from '../../src/core/errors.js';
import { loadPolicy } from '../../src/policy/load.js';
import { EXPECTED } from './invalid-expected.js';

const DIR = 'test/policy/invalid';


function problemsOf(file: string): string[] {
  try {
    loadPolicy(`${DIR}/${file}`);
  } catch (err) {
    // Bad input is always a PolicyError, never a crash of another kind.
    expect(err).toBeInstanceOf(PolicyError);
    return (err as PolicyError).lines;
  }
  throw new Error(`${file} loaded without problems`);
}

describe('invalid policy corpus', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();

  it('has at least 30 files, each with expectations', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
    expect(files).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(files)('%s', (file) => {
    expect(problemsOf(file)).toEqual(EXPECTED[file]);
  });

  it('reports problems sorted by file, line and column', () => {
    for (const file of files) {
      const positions = problemsOf(file).map((line) => {
        const m = /^(.*?):(\d+):(\d+): /.exec(line)!;
        return [m[1]!, Number(m[2]), Number(m[3])] as const;
      });
      const sorted = [...positions].sort((a, b) => (a[0] !== b[0] ? (a[0] < b[0] ? -1 : 1) : a[1] - b[1] || a[2] - b[2]));
      expect(positions).toEqual(sorted);
    }
  });

  it('keeps every problem of a file in one error (no first-error stop)', () => {
    const err = (() => {
      try {
        loadPolicy(`${DIR}/many-errors.yaml`);
      } catch (e) {
        return e as PolicyError;
      }
      throw new Error('expected a PolicyError');
    })();
    expect(err.problems).toHaveLength(8);
    expect(err.problems[0]).toEqual({
      file: 'test/policy/invalid/many-errors.yaml',
      line: 8,
      col: 15,
      message: 'rules[0].severity: "urgent" is not one of critical, high, medium, low, info',
    });
  });
});
