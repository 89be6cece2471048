// The one walk of a folder tree the scripts share (test files, src/ modules): every file below `dir`
// whose name `accept` takes, depth first, names sorted, so every run lists them in the same order.
// A missing folder gives an empty list.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

export function filesUnder(dir, accept) {
  const out = [];
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names.sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path, accept));
    else if (accept(name)) out.push(path);
  }
  return out;
}
