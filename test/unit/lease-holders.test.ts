/** status and daemon status name the daemon (host, pid) holding each mailbox. */
import { describe, expect, it } from 'vitest';
import { describeHolder, holderIdentity } from '../../src/core/lease-holders.js';
import { renderDaemonStatus } from '../../src/cli/render-daemon.js';

describe('lease holders', () => {
  it('a known member by holder id, else the owner text of a database or a file lease', () => {
    const members = [{ holderId: 'opaque-1', host: 'db-worker-2', pid: 812 }];
    expect(holderIdentity('opaque-1', members)).toEqual({ host: 'db-worker-2', pid: 812, holderId: 'opaque-1' });
    expect(holderIdentity('web-3.internal:4242:a1b2c3d4', [])).toEqual({ host: 'web-3.internal', pid: 4242, holderId: 'web-3.internal:4242:a1b2c3d4' });
    expect(holderIdentity('pid 77 on laptop', [])).toEqual({ host: 'laptop', pid: 77, holderId: null });
    expect(holderIdentity('pid 812 on db-worker-2', members)).toEqual({ host: 'db-worker-2', pid: 812, holderId: 'opaque-1' });
    expect(holderIdentity('unknown', [])).toBeNull();
    expect(describeHolder({ host: 'h', pid: 1, holderId: null })).toBe('h (pid 1)');
  });

  it('daemon status shows a "held by" column when a mailbox is held', () => {
    const base = { running: false, pid: null, uptimeMs: null, version: null, home: '/h', logFile: '/h/l', socket: '/h/s', stalePidFile: false, services: [], api: null };
    const row = { id: 'm1', mailboxId: 'm1', emailAddress: 'a@example.com', status: 'active', lastSyncAt: null, lastSuccessAt: null, lastError: null };
    expect(renderDaemonStatus({ ...base, mailboxes: [{ ...row, holder: null }] }, false)).not.toContain('HELD BY');
    const held = renderDaemonStatus({ ...base, mailboxes: [{ ...row, holder: { host: 'box-2', pid: 99, holderId: 'box-2:99:ab' } }] }, false);
    expect(held).toContain('HELD BY');
    expect(held).toContain('box-2 (pid 99)');
  });
});
