/** The Endpoints port on SQLite (src/app/ports/endpoints.ts). */
import type Database from 'better-sqlite3';
import type { Endpoints } from '../../app/ports/endpoints.js';
import { EndpointRepository } from './endpoint-repository.js';

export function sqliteEndpoints(sqlite: Database.Database): Endpoints {
  const repository = new EndpointRepository(sqlite);
  return {
    list: async () => repository.list(),
    get: async (id) => repository.get(id),
    subscriptions: async (id) => repository.subscriptions(id),
    healthChanges: async (id, limit) => repository.healthChanges(id, limit),
    insert: async (endpoint, rules) => repository.insert(endpoint, rules),
    remove: async (id) => repository.remove(id),
    applyHealth: async (id, update, now, options) => repository.applyHealth(id, update, now, options),
    setPreviousSecretExpiry: async (id, expiresAt, now) => repository.setPreviousSecretExpiry(id, expiresAt, now),
  };
}
