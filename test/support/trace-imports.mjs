// Preloaded with `node --import` in tests: records every module specifier the process resolves
// into the file named by MAILMON_TRACE_FILE, so a test can prove what was (not) loaded.
import { register } from 'node:module';

register('./trace-imports-hooks.mjs', import.meta.url, { data: { file: process.env.MAILMON_TRACE_FILE } });
