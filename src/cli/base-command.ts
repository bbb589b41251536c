/**
 * The command every mailmon command extends: `--json` (run() returns the result), `--verbose`,
 * a lazily built context, and the single error renderer wired into oclif's catch.
 */
import { Command, Flags, type Interfaces } from '@oclif/core';
import { CliContext, type StoreAccess } from './context.js';
import { toJsonOutput } from './json-output.js';
import { prepareCommandProcess } from './command-process.js';
import { colorEnabled } from './output.js';
import { rejectEmptyValues } from './flags.js';
import { debugEnabled, describeError, errorJson, errorText, parseFailure } from './render-error.js';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>;

export abstract class BaseCommand extends Command {
  static enableJsonFlag = true;

  static baseFlags = {
    verbose: Flags.boolean({ description: 'Trace each Gmail call, token refresh, delivery attempt and lease on stderr (like DEBUG=mailmon:*), and show stack traces on errors.', helpGroup: 'GLOBAL' }),
  };

  /** Commands that never write set 'read': they then work in a read-only home and on a store marked corrupt. */
  static storeAccess: StoreAccess = 'write';

  private contextValue?: CliContext;

  protected get ctx(): CliContext {
    this.contextValue ??= new CliContext(process.env, (this.constructor as typeof BaseCommand).storeAccess);
    return this.contextValue;
  }

  /** Colour for human output on stdout. */
  protected get color(): boolean {
    return colorEnabled(process.stdout);
  }

  /** Chatter and progress: stderr, never stdout, and nothing under --json. */
  protected note(message: string): void {
    if (!this.jsonEnabled()) process.stderr.write(`${message}\n`);
  }

  /** Human result output on stdout (skipped under --json, where run() returns the result). */
  protected out(text: string): void {
    if (!this.jsonEnabled()) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  protected get verbose(): boolean {
    return this.argv.includes('--verbose') || debugEnabled();
  }

  /**
   * oclif's parse, with every failure a usage error naming the flag (oclif throws plain errors
   * that would otherwise read as internal ones) and an empty value refused rather than read as
   * "not given" (`--mailbox=` must not mean every mailbox).
   */
  protected async parse<F extends Interfaces.OutputFlags<Interfaces.FlagInput>, B extends Interfaces.OutputFlags<Interfaces.FlagInput>, A extends Interfaces.OutputArgs<Interfaces.ArgInput>>(options?: Interfaces.Input<F, B, A>, argv?: string[]): Promise<Interfaces.ParserOutput<F, B, A>> {
    try {
      const parsed = await super.parse(options, argv);
      rejectEmptyValues(parsed.raw);
      return parsed;
    } catch (error) {
      throw parseFailure(error, this.id);
    }
  }

  async init(): Promise<void> {
    prepareCommandProcess();
    // --verbose turns on every mailmon:* trace (DEBUG=mailmon:* does it without the flag).
    // Loaded only then: `debug` stays off the path of every other start-up.
    if (this.argv.includes('--verbose')) (await import('../adapters/system/debug-log.js')).enableTracing();
    await super.init();
  }

  /** Every --json result goes through the one shape rule (ISO timestamps). */
  protected toSuccessJson(result: unknown): unknown {
    return toJsonOutput(result);
  }

  async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<never> {
    // oclif's own exit() is control flow, not an error.
    if (error?.oclif?.exit !== undefined && error.message?.startsWith('EEXIT')) throw error;
    const rendered = describeError(error, this.id, this.contextValue?.storeFile);
    if (this.jsonEnabled()) {
      process.stdout.write(`${JSON.stringify(errorJson(rendered))}\n`);
      if (this.verbose && rendered.stack) process.stderr.write(`${rendered.stack}\n`);
    } else {
      process.stderr.write(errorText(rendered, { verbose: this.verbose, color: colorEnabled(process.stderr) }));
    }
    this.exit(rendered.exitCode);
  }

  async finally(error: Error | undefined): Promise<void> {
    this.contextValue?.close();
    await super.finally(error);
  }
}
