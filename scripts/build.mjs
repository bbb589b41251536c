#!/usr/bin/env node
// `npm run build`: compile, then regenerate every generated artifact (the SQLite and PostgreSQL
// migrations, the oclif manifest, the README command reference, the API's OpenAPI document and
// the SDK's types made from it). CI fails when the committed copies drift.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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

// The OpenAPI document comes from the compiled route schemas; the SDK's types come from the
// document. When they changed, compile once more so dist/ carries the new types.
const { openApiDocument } = await import(pathToFileURL(path.join(root, 'dist', 'src', 'api', 'server.js')).href);
const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version;
const openapiPath = path.join(root, 'openapi', 'openapi.json');
fs.mkdirSync(path.dirname(openapiPath), { recursive: true });
fs.writeFileSync(openapiPath, `${JSON.stringify(await openApiDocument(version), null, 2)}\n`);
const sdkTypesPath = path.join(root, 'src', 'sdk', 'openapi.ts');
const before = fs.existsSync(sdkTypesPath) ? fs.readFileSync(sdkTypesPath, 'utf8') : '';
run(bin('openapi-typescript'), [openapiPath, '--output', sdkTypesPath, '--silent']);
if (fs.readFileSync(sdkTypesPath, 'utf8') !== before) run(bin('tsc'), ['-p', 'tsconfig.json']);
