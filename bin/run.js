#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { arch, release } from 'node:os';

// `--version` is answered before oclif loads (its config, plugins and manifest are most of the
// start-up), in oclif's own format: `name/version platform-arch node-version`. Under WSL oclif
// reports the platform as "wsl"; that rare case takes the ordinary path.
const wsl = process.platform === 'linux' && release().toLowerCase().includes('microsoft');
if (process.argv[2] === '--version' && !wsl) {
  const { name, version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${name}/${version} ${process.platform}-${arch() === 'ia32' ? 'x86' : arch()} node-${process.version}\n`);
} else {
  const { execute } = await importOclif();
  await execute({ dir: import.meta.url });
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
