/**
 * Which daemon (host, pid) holds a mailbox's lease, for `status` and `daemon status`: the
 * lease's owner is matched with the daemon members by holder id, else read from the owner
 * text itself (`host:pid:random` on a shared store, `pid N on host` for a file lease). Pure.
 */
export interface MailboxHolder {
  host: string;
  pid: number;
  /** The holder id when the owner is a known daemon member (or has that shape). */
  holderId: string | null;
}

const HOLDER_ID = /^(.+):(\d+):([0-9a-z]+)$/i;
const FILE_OWNER = /^pid (\d+) on (.+)$/;

export function holderIdentity(owner: string, members: ReadonlyArray<{ holderId: string; host: string; pid: number }>): MailboxHolder | null {
  const member = members.find((candidate) => candidate.holderId === owner);
  if (member) return { host: member.host, pid: member.pid, holderId: member.holderId };
  const id = HOLDER_ID.exec(owner);
  if (id) return { host: id[1], pid: Number(id[2]), holderId: owner };
  const file = FILE_OWNER.exec(owner);
  if (!file) return null;
  const [host, pid] = [file[2], Number(file[1])];
  // A database lease names its holder by pid and host: the member beating with them is that daemon.
  return { host, pid, holderId: members.find((candidate) => candidate.host === host && candidate.pid === pid)?.holderId ?? null };
}

export function describeHolder(holder: MailboxHolder | null): string {
  return holder ? `${holder.host} (pid ${holder.pid})` : '-';
}
