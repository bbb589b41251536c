/** Locates mailmon's own package root (for its version and the shipped migrations folders). */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: { root: string; version: string } | undefined;

export function packageInfo(): { root: string; version: string } {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'mailmon') {
        cached = { root: dir, version: pkg.version ?? '0.0.0' };
        return cached;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('mailmon package.json not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

export function migrationsFolder(): string {
  return path.join(packageInfo().root, 'migrations');
}

/** The PostgreSQL store's migrations, shipped beside the SQLite ones. */
export function pgMigrationsFolder(): string {
  return path.join(packageInfo().root, 'migrations-pg');
}
