#!/usr/bin/env node
// Benchmarks: `npm run bench -- [name...]` runs bench/<name>.bench.ts, or every one when no name is
// given. Like the CLI, it runs the TypeScript sources through tsx, so there is nothing to build.
import console from 'node:console';
import { readdirSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';
import { register } from 'tsx/esm/api';

register();

const benchDir = new URL('../bench/', import.meta.url);
const SUFFIX = '.bench.ts';
const available = readdirSync(benchDir)
  .filter((file) => file.endsWith(SUFFIX))
  .map((file) => file.slice(0, -SUFFIX.length))
  .sort();

const requested = process.argv.slice(2).filter((arg) => arg !== '--');
if (requested.includes('--help') || requested.includes('-h')) {
  console.log(`usage: npm run bench -- [name...]\navailable: ${available.join(', ')}`);
  process.exit(0);
}
const unknown = requested.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.map((n) => `"${n}"`).join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}

for (const name of requested.length > 0 ? requested : available) {
  const bench = await import(new URL(`${name}${SUFFIX}`, benchDir).href);
  await bench.run();
}
