#!/usr/bin/env node
// `npm run build`: compile, then regenerate every generated artifact (the SQLite and PostgreSQL migrations, the oclif
// manifest, the README command reference). CI fails when the committed copies drift.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const run = (command, args) => execFileSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });

fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
run(bin('tsc'), ['-p', 'tsconfig.json']);
run(bin('drizzle-kit'), ['generate']);
run(bin('drizzle-kit'), ['generate', '--config', 'drizzle.pg.config.ts']);
run(bin('oclif'), ['manifest']);
const manifestPath = path.join(root, 'oclif.manifest.json');
// Stable output: pretty JSON with a trailing newline, commands sorted by id.
const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
manifest.commands = Object.fromEntries(Object.entries(manifest.commands).sort(([a], [b]) => a.localeCompare(b)));
fs.writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
execFileSync(process.execPath, [path.join(root, 'scripts', 'readme-commands.mjs')], { cwd: root, stdio: 'inherit' });
