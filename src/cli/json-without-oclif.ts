/**
 * The frame `BaseCommand` gives a `--json` command, for the commands bin/run.js runs without
 * oclif (fast-path.ts says when), in its order: a private umask and the colour policy, the
 * command on its context, the context closed, the result as pretty JSON on stdout through the one
 * shape rule (json-output.ts) and the command's exit code; an error as one JSON line from the same
 * renderer, with its exit code.
 */
import { CliContext, type StoreAccess } from './context.js';
import { toJsonOutput } from './json-output.js';
import { prepareCommandProcess } from './command-process.js';
import { describeError, errorJson } from './render-error.js';

export async function runJsonWithoutOclif<T>(command: { id: string; storeAccess: StoreAccess; exitCode?: (result: T) => number }, run: (ctx: CliContext) => Promise<T>): Promise<void> {
  prepareCommandProcess();
  const ctx = new CliContext(process.env, command.storeAccess);
  let result: T;
  try {
    result = await run(ctx);
  } catch (error) {
    const rendered = describeError(error, command.id, ctx.storeFile);
    process.stdout.write(`${JSON.stringify(errorJson(rendered))}\n`);
    ctx.close();
    process.exit(rendered.exitCode);
  }
  ctx.close();
  process.stdout.write(`${JSON.stringify(toJsonOutput(result), null, 2)}\n`);
  const exitCode = command.exitCode?.(result) ?? 0;
  if (exitCode !== 0) process.exit(exitCode);
}
