import { defineConfig } from 'drizzle-kit';

// The PostgreSQL store's migrations; drizzle.config.ts is the SQLite one.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/adapters/postgres/schema.ts',
  out: './migrations-pg',
});
