#!/usr/bin/env node
// Records how long each test file took, from a vitest JSON report (.ci/run writes one to
// .tmp/vitest.json), into test/support/file-durations.json, which orders the next runs longest
// first (test/support/sequencer.ts). A report of some files updates only theirs; files that no
// longer exist are dropped. Usage: node scripts/test-durations.mjs [report.json]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const target = path.join(root, 'test', 'support', 'file-durations.json');
const report = JSON.parse(fs.readFileSync(process.argv[2] ?? path.join(root, '.tmp', 'vitest.json'), 'utf8'));
const durations = fs.existsSync(target) ? JSON.parse(fs.readFileSync(target, 'utf8')) : {};
for (const file of report.testResults) {
  const name = path.relative(root, file.name).split(path.sep).join('/');
  durations[name] = Math.max(0.1, Math.round((file.endTime - file.startTime) / 100) / 10);
}
const kept = Object.entries(durations).filter(([name]) => fs.existsSync(path.join(root, name)));
kept.sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
fs.writeFileSync(target, `${JSON.stringify(Object.fromEntries(kept), null, 2)}\n`);
console.log(`${kept.length} test files in ${path.relative(root, target)}`);
