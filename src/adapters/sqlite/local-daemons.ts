/**
 * Daemon membership for a store only one daemon uses (SQLite in MAILMON_HOME: the pid file
 * already makes that daemon the only one). Members live in this process's memory, so the
 * daemon always counts itself alone and its fair share is every mailbox.
 */
import type { DaemonMember, Daemons } from '../../app/ports/daemons.js';

export function localDaemons(now: () => number = Date.now): Daemons {
  const members = new Map<string, DaemonMember>();
  return {
    async heartbeat(member) {
      const known = members.get(member.holderId);
      members.set(member.holderId, { ...member, heartbeatAt: Math.max(member.heartbeatAt, known?.heartbeatAt ?? member.heartbeatAt) });
    },
    async live(at, livenessMs) {
      return [...members.values()].filter((member) => at - member.heartbeatAt <= livenessMs);
    },
    async list() {
      return [...members.values()];
    },
    async leave(holderId) {
      members.delete(holderId);
    },
    async prune(at, olderThanMs) {
      const gone = [...members.values()].filter((member) => at - member.heartbeatAt > olderThanMs).map((member) => member.holderId);
      for (const id of gone) members.delete(id);
      return gone;
    },
    async storeTime() {
      return now();
    },
  };
}
