/** One line for an unknown command: what was typed, the nearest command, and a non-zero exit. */
import type { Hook } from '@oclif/core';
import { closest } from 'fastest-levenshtein';
import { ExitCode } from '../../core/errors.js';
import { colorEnabled } from '../output.js';
import { errorText } from '../render-error.js';

const hook: Hook.CommandNotFound = async function (options) {
  const typed = options.id.replaceAll(':', ' ');
  const ids = options.config.commandIDs.filter((id) => !options.config.findCommand(id)?.hidden);
  const suggestion = ids.length > 0 ? closest(options.id, ids).replaceAll(':', ' ') : undefined;
  // One line on purpose: the typo, the nearest command, where to look.
  const text = `"${typed}" is not a mailmon command.${suggestion ? ` Did you mean "${suggestion}"?` : ''} Run "mailmon help" for the list.`;
  process.stderr.write(errorText({ code: 'usage', message: text, exitCode: ExitCode.usage }, { verbose: false, color: colorEnabled(process.stderr) }));
  process.exit(ExitCode.usage);
};

export default hook;
