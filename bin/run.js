#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { arch, release } from 'node:os';
import { fastPathFor } from '../dist/src/cli/fast-path.js';

// `--version`, `status --json`, `sync --json` and the daemon's own entry points (`daemon run`,
// `daemon run --detached`) run before oclif loads (its modules, config, plugins and manifest are
// most of a start-up, and stay in a daemon's memory for its life), with oclif's exact output;
// fast-path.ts says when. `--version` is oclif's format: `name/version platform-arch node-version`.
const fast = fastPathFor({ argv: process.argv, env: process.env, platform: process.platform, osRelease: release(), stdoutIsTTY: Boolean(process.stdout.isTTY), cwdExists: cwdExists() });
if (fast === 'version') {
  const { name, version } = packageJson();
  process.stdout.write(`${name}/${version} ${process.platform}-${arch() === 'ia32' ? 'x86' : arch()} node-${process.version}\n`);
} else if (fast === 'status-json') {
  const { runStatusJson } = await import('../dist/src/cli/status-json.js');
  await runStatusJson();
} else if (fast === 'sync-json') {
  const { runSyncJson } = await import('../dist/src/cli/sync-run.js');
  await runSyncJson();
} else if (fast === 'daemon-run' || fast === 'daemon-run-detached') {
  const { runDaemonDirect } = await import('../dist/src/cli/daemon-run-direct.js');
  await runDaemonDirect({ detached: fast === 'daemon-run-detached', version: packageJson().version });
} else {
  const { execute } = await importOclif();
  await execute({ dir: import.meta.url });
}

function packageJson() {
  return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
}

function cwdExists() {
  try {
    process.cwd();
    return true;
  } catch {
    return false;
  }
}

// oclif's index checks the Node version against its own `engines` by loading all of `semver`
// (47 files) on every start; mailmon's `engines` is stricter and npm checks it at install. The
// variable that skips the check is set only while oclif loads, so no child process inherits it.
async function importOclif() {
  const key = 'OCLIF_DISABLE_ENGINE_WARNING';
  const given = process.env[key];
  process.env[key] = '1';
  try {
    return await import('@oclif/core');
  } finally {
    if (given === undefined) delete process.env[key];
    else process.env[key] = given;
  }
}
