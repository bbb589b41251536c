/**
 * The order test files start in: longest first, so that a run on a few workers does not end
 * with one long file running alone while the other workers sit idle. vitest's own order needs
 * its cache of last durations, which a fresh CI checkout does not have (it then starts the
 * largest files first, and the slowest files are small ones). The durations come from
 * file-durations.json (refresh it with `node scripts/test-durations.mjs .tmp/vitest.json`);
 * a file not in it yet is estimated by its folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const DURATIONS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'file-durations.json');
/** Seconds a file not yet measured is taken to need, by its folder under test/. */
const ESTIMATES: Record<string, number> = { e2e: 20, contract: 5, integration: 4, unit: 1 };

export class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const measured = JSON.parse(fs.readFileSync(DURATIONS, 'utf8')) as Record<string, number>;
    const seconds = (file: TestSpecification): number => {
      const name = path.relative(this.ctx.config.root, file.moduleId).split(path.sep).join('/');
      return measured[name] ?? ESTIMATES[name.split('/')[1]] ?? ESTIMATES.integration;
    };
    return [...files].sort((a, b) => seconds(b) - seconds(a));
  }
}
