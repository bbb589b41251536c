/**
 * Where `mailmon fixtures serve` leaves its URL and control token for the other commands of the
 * same user and home: `<home>/run/fixture-server-<port>.json` (0600, in the 0700 home), removed
 * when serve stops. `mailmon fixtures …` and `mailmon trigger` look a server's token up here by
 * URL, so `--server URL` is enough; another local user cannot read it.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface FixtureRegistration {
  url: string;
  controlToken: string;
  pid: number;
}

const PREFIX = 'fixture-server-';

function sameServer(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

/** Records a running server; returns the function that removes the record again. */
export function registerFixtureServer(runDir: string, registration: FixtureRegistration): () => void {
  fs.mkdirSync(runDir, { recursive: true, mode: 0o700 });
  const port = new URL(registration.url).port || '80';
  const file = path.join(runDir, `${PREFIX}${port}.json`);
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(registration)}\n`, { mode: 0o600 });
  fs.renameSync(temp, file);
  return () => {
    try {
      const current = JSON.parse(fs.readFileSync(file, 'utf8')) as FixtureRegistration;
      if (current.controlToken === registration.controlToken) fs.rmSync(file, { force: true });
    } catch {
      // Already gone or replaced: nothing of ours to remove.
    }
  };
}

/** The control token of the server at `url` recorded in this home, if any (newest record wins). */
export function findFixtureToken(runDir: string, url: string): string | undefined {
  let names: string[];
  try {
    names = fs.readdirSync(runDir).filter((name) => name.startsWith(PREFIX) && name.endsWith('.json'));
  } catch {
    return undefined;
  }
  let best: { token: string; mtime: number } | undefined;
  for (const name of names) {
    try {
      const file = path.join(runDir, name);
      const record = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<FixtureRegistration>;
      if (typeof record.url !== 'string' || typeof record.controlToken !== 'string' || !sameServer(record.url, url)) continue;
      const mtime = fs.statSync(file).mtimeMs;
      if (!best || mtime > best.mtime) best = { token: record.controlToken, mtime };
    } catch {
      // A record being written or removed right now: skip it.
    }
  }
  return best?.token;
}
