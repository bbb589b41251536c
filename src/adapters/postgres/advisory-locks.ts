/**
 * The PostgreSQL advisory locks mailmon takes, as (namespace, key) pairs of the two-int form,
 * so they cannot collide with another application's locks on a shared database.
 */
/** 'mmon' as a 32-bit integer: mailmon's advisory-lock namespace. */
export const ADVISORY_NAMESPACE = 0x6d6d6f6e;

export const AdvisoryLock = {
  /** Held while migrations are checked and applied: concurrent openers apply them once. */
  migrations: 1,
  /** Held by an event append until its transaction ends: sequence order is commit order. */
  eventLog: 2,
} as const;
