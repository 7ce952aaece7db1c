// The action's outputs after an audit that exited 0, 1 or 3. They name only
// files this run wrote (by inode against snapshot-reports.js: a file an earlier
// run left is no report of this one), every report asked for must be among
// them, and nothing is set until everything is checked. SARIF: portolan.sarif,
// or portolan-<account>.sarif per account; only runs read completely
// (executionSuccessful) may be uploaded, an organization's in one folder of at
// most 20. Exits 70 when a report is missing or unreadable, 2 when there are
// more account files than one upload takes.
//   node report-outputs.js OUT_DIR SHOWN_DIR SNAPSHOT_FILE GITHUB_OUTPUT FORMATS EXIT_CODE
import { appendFileSync, closeSync, copyFileSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const [out = '', shown = '', snapshotFile = '', outputFile = '', formatList = '', code = ''] = process.argv.slice(2);
const before = JSON.parse(readFileSync(snapshotFile, 'utf8'));
// The format list read as portolan reads it.
const asked = new Set(
  formatList
    .split(',')
    .map((f) => f.trim().toLowerCase())
    .filter((f) => f !== '')
    .map((f) => (f === 'md' ? 'markdown' : f)),
);
const outputs = { 'json-file': '', 'findings': '', 'markdown-file': '', 'sarif-file': '', 'sarif-upload': '' };

function fail(status, message) {
  console.log(`::error title=Portolan::${message}`);
  process.exit(status);
}

function wrote(name) {
  try {
    const stats = lstatSync(join(out, name), { bigint: true });
    return stats.isFile() && before[name] !== stats.ino.toString();
  } catch {
    return false;
  }
}

function need(name) {
  if (!wrote(name)) fail(70, `portolan exited with ${code} without writing ${name}`);
}

/** The unsuppressed count is the summary, which precedes the findings: read up to it, never the whole file. */
function unsuppressed(file) {
  const fd = openSync(file, 'r');
  const buffer = Buffer.alloc(1 << 20);
  let text = '';
  try {
    for (let n; (n = readSync(fd, buffer, 0, buffer.length, null)) > 0; ) {
      text = (text + buffer.toString('latin1', 0, n)).slice(-(1 << 16));
      const m = /"summary": \{\s*"bySeverity": (\{[^{}]*\})/.exec(text);
      if (m) return Object.values(JSON.parse(m[1])).reduce((a, b) => a + b, 0);
    }
  } finally {
    closeSync(fd);
  }
  return fail(70, 'portolan.json has no summary');
}

function completeRun(name) {
  const runs = JSON.parse(readFileSync(join(out, name), 'utf8')).runs ?? [];
  return runs.length > 0 && runs.every((r) => (r.invocations ?? []).length > 0 && r.invocations.every((i) => i.executionSuccessful === true));
}

if (asked.size === 0) fail(70, 'no report format was asked for');
if (asked.has('json')) {
  need('portolan.json');
  const findings = unsuppressed(join(out, 'portolan.json'));
  outputs['json-file'] = `${shown}/portolan.json`;
  outputs['findings'] = String(findings);
  console.log(`${findings} unsuppressed findings`);
}
if (asked.has('markdown')) {
  need('portolan.md');
  outputs['markdown-file'] = `${shown}/portolan.md`;
}
if (asked.has('text')) need('portolan.txt');
if (asked.has('sarif')) {
  const written = readdirSync(out)
    .filter((n) => /^portolan(-\d{12})?\.sarif$/.test(n) && wrote(n))
    .sort();
  // An organization whose every account was skipped (exit 3) has no account to write SARIF for.
  if (written.length === 0 && code === '3') console.log('::warning title=Portolan::no SARIF report: no account was audited');
  else if (written.length === 0) fail(70, `portolan exited with ${code} without writing a SARIF report`);
  const single = written.includes('portolan.sarif');
  const files = single ? ['portolan.sarif'] : written;
  const kept = files.filter(completeRun);
  for (const n of files) {
    if (!kept.includes(n)) console.log(`::warning title=Portolan::${n} is not uploaded: coverage is incomplete, and an upload would close the alerts of what was not read as fixed`);
  }
  if (!single && kept.length > 20) {
    fail(2, `${kept.length} account SARIF files: GitHub takes at most 20 runs an upload; use the sharded organization workflow (README), which uploads them in groups`);
  }
  if (single) {
    outputs['sarif-file'] = `${shown}/portolan.sarif`;
    if (kept.length === 1) outputs['sarif-upload'] = `${shown}/portolan.sarif`;
  } else if (kept.length > 0) {
    const folder = join(out, 'sarif-upload');
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder);
    for (const n of kept) copyFileSync(join(out, n), join(folder, n));
    outputs['sarif-upload'] = `${shown}/sarif-upload`;
  }
}
for (const [name, value] of Object.entries(outputs)) {
  if (value === '') continue;
  const delimiter = `portolan_${Math.random().toString(36).slice(2)}`;
  appendFileSync(outputFile, `${name}<<${delimiter}\n${value}\n${delimiter}\n`);
}
