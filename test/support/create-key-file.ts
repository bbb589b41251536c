// Child process for the key-file race test: waits for "go" on stdin (so every racer starts
// at once), creates-or-reads the key file, and prints the key id it ended up with.
import { createKeyFile } from '../../src/adapters/secrets/encryption-key.js';

const file = process.argv[2];
process.stdout.write('ready\n');
process.stdin.once('data', () => {
  const key = createKeyFile(file);
  process.stdout.write(`${key.keyId}\n`);
  process.exit(0);
});
