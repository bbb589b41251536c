/**
 * Listing messages and threads pages through an index: each page seeks to its cursor and reads
 * the rows in order, so paging a large mailbox costs the same per page at any depth (a scan
 * and sort of the whole table per page made reading every page quadratic).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteStore } from '../../src/adapters/sqlite/database.js';
import { listQuery } from '../../src/adapters/sqlite/sqlite-messages.js';
import type { MessageFilter } from '../../src/app/ports/messages.js';

let dir: string;
let store: SqliteStore;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-plan-'));
  store = openDatabase(path.join(dir, 'mailmon.db'));
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function plan(alias: 'm' | 't', filter: MessageFilter): string {
  const { sql, params } = listQuery(alias, filter, 100);
  const rows = store.sqlite.prepare(`explain query plan ${sql}`).all(...params) as Array<{ detail: string }>;
  return rows.map((row) => row.detail).join('\n');
}

describe('list queries', () => {
  const after = { at: 1_700_000_000_000, id: 'msg_x' };
  for (const [alias, table] of [['m', 'messages'], ['t', 'threads']] as const) {
    it(`${table}: the first page and a later one seek the list index, with no sort`, () => {
      for (const filter of [{}, { after }]) {
        expect(plan(alias, filter)).toMatch(new RegExp(`(SEARCH|SCAN) ${alias} USING INDEX ${table}_list_idx`));
        expect(plan(alias, filter)).not.toContain('TEMP B-TREE');
      }
      expect(plan(alias, { after })).toContain(`SEARCH ${alias} USING INDEX ${table}_list_idx (<expr><?)`);
    });

    it(`${table} of one mailbox: seek the mailbox's part of its list index`, () => {
      const filter = { mailboxId: 'mbx_a', after };
      expect(plan(alias, filter)).toContain(`SEARCH ${alias} USING INDEX ${table}_mailbox_list_idx (mailbox_id=? AND <expr><?)`);
      expect(plan(alias, filter)).not.toContain('TEMP B-TREE');
    });
  }
});
