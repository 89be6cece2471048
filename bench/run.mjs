#!/usr/bin/env node
// Runs every benchmark (build/bench/*.bench.js, transpiled from bench/*.bench.ts by scripts/build.mjs)
// one after another, each in its own Node process so one cannot warm up or starve another. Each prints
// its own table; ratios are always against a named peer measured in the same process.
//   node bench/run.mjs [name ...]    only the benchmarks whose file name contains one of the names
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

const dir = "build/bench";
const filters = process.argv.slice(2);
let files = [];
try {
  files = readdirSync(dir).filter((name) => name.endsWith(".bench.js")).sort();
} catch {
  // no benchmarks built
}
files = files.filter((name) => filters.length === 0 || filters.some((filter) => name.includes(filter)));
if (files.length === 0) {
  console.error(`bench: no benchmarks in ${dir}${filters.length ? ` matching ${filters.join(", ")}` : ""}`);
  process.exit(1);
}
let failed = 0;
for (const name of files) {
  const result = spawnSync(process.execPath, ["--expose-gc", join(dir, name)], { stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`bench: ${name} failed (exit ${result.status})`);
    failed++;
  }
}
process.exit(failed > 0 ? 1 : 0);
