// The action's snapshot before the audit: the inode of every report file
// already in the folder. Portolan replaces a file by renaming a new one over
// it, so afterwards a file this run wrote has a new inode, and one an earlier
// run left does not (report-outputs.js).
//   node snapshot-reports.js OUT_DIR SNAPSHOT_FILE
import { lstatSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [out = '', file = ''] = process.argv.slice(2);
const inodes = {};
let names = [];
try {
  names = readdirSync(out);
} catch {
  // No folder yet: nothing was there before.
}
for (const name of names) {
  if (!name.startsWith('portolan')) continue;
  try {
    inodes[name] = lstatSync(join(out, name), { bigint: true }).ino.toString();
  } catch {
    // Gone or unreadable: it cannot pass for a file of this run either way.
  }
}
writeFileSync(file, JSON.stringify(inodes));
