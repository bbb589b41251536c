/** Every port contract suite with a PostgreSQL implementation, against a real PostgreSQL server. */
import { mailboxesContract } from './mailboxes.js';
import { postgresFactory } from './stores.js';
import { syncCommitContract } from './sync-commit.js';
import { syncRunsContract } from './sync-runs.js';

mailboxesContract(postgresFactory);
syncCommitContract(postgresFactory);
syncRunsContract(postgresFactory);
