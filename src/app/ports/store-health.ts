/**
 * What `doctor` asks of the store: its engine, a full integrity check, the schema's migrations,
 * the engine settings safe concurrent use depends on, and the corruption mark — once marked,
 * new connections refuse the store until the mark is cleared (so nothing writes into it).
 */
export interface HealthCheck {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

export interface StoreEngine {
  name: 'sqlite' | 'postgresql';
  version: string;
}

export interface StoreHealth {
  engine(): Promise<StoreEngine>;
  /** A full integrity check: the problems found, [] when the store is intact. */
  integrityProblems(): Promise<string[]>;
  /** Migrations applied to this store vs shipped with this version. */
  migrations(): Promise<{ applied: number; shipped: number }>;
  /**
   * What else must hold for safe concurrent use of this engine, one check each: SQLite's WAL
   * journal; for a store shared by many machines, its wake-up trigger, the clock skew between
   * this machine and the database, and delivery claims no live daemon released.
   */
  settingsChecks(): Promise<HealthCheck[]>;
  /** Marks the store corrupt: new connections refuse it (store_corrupt) until cleared. */
  markCorrupt(problem: string): Promise<void>;
  clearCorruptionMark(): Promise<void>;
}
