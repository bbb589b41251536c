/** Reads a payload argument: a file, `-` for stdin, or piped stdin when no file is given. Bytes, exactly. */
import fs from 'node:fs/promises';
import { MailmonError } from '../core/errors.js';

export async function readPayload(file: string | undefined, stdin: NodeJS.ReadStream = process.stdin): Promise<Buffer> {
  if (file === undefined && stdin.isTTY) {
    throw new MailmonError('usage', 'No payload given.', { hint: 'Pass --payload-file FILE, or pipe the raw body on stdin (--payload-file -).' });
  }
  if (file === undefined || file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
    return Buffer.concat(chunks);
  }
  try {
    return await fs.readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new MailmonError('not_found', `No such file: ${file}.`, { hint: 'Check the --payload-file path.' });
    throw new MailmonError('usage', `Cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
}
