/** Finds secret values in every file under a directory: raw, base64, base64url, hex and UTF-16. */
import fs from 'node:fs';
import path from 'node:path';

export function filesUnder(root: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else files.push(full);
    }
  };
  walk(root);
  return files;
}

/** Every (file, form) where a value shows up; empty means nothing leaked. */
export function findSecrets(root: string, values: string[]): string[] {
  const needles = values.flatMap((value) => [
    { form: 'raw', bytes: Buffer.from(value) },
    { form: 'utf16', bytes: Buffer.from(value, 'utf16le') },
    { form: 'base64', bytes: Buffer.from(Buffer.from(value).toString('base64')) },
    { form: 'base64url', bytes: Buffer.from(Buffer.from(value).toString('base64url')) },
    { form: 'hex', bytes: Buffer.from(Buffer.from(value).toString('hex')) },
    // A long fragment, in case a value was split or partly re-encoded.
    { form: 'fragment', bytes: Buffer.from(value.slice(5, 30)) },
  ].map((needle) => ({ ...needle, label: `${value.slice(0, 10)}… (${needle.form})` })));
  const found: string[] = [];
  for (const file of filesUnder(root)) {
    const bytes = fs.readFileSync(file);
    for (const needle of needles) if (bytes.includes(needle.bytes)) found.push(`${needle.label} in ${path.relative(root, file)}`);
  }
  return found;
}
