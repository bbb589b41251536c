// Preloaded with `node --import` in tests: records every CommonJS file the process compiles
// (required, or imported from an ES module) into the file named by MAILMON_TRACE_REQUIRES_FILE,
// so a test can bound what a command loads besides its ES modules (trace-imports.mjs).
import fs from 'node:fs';
import Module from 'node:module';

const file = process.env.MAILMON_TRACE_REQUIRES_FILE;
const compile = Module.prototype._compile;
if (file) {
  Module.prototype._compile = function recordCompile(content, filename, ...rest) {
    fs.appendFileSync(file, `${filename}\n`);
    return compile.call(this, content, filename, ...rest);
  };
}
