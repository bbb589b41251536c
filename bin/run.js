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
  const { execute } = await import('@oclif/core');
  await execute({ dir: import.meta.url });
}
