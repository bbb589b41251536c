/** Every port contract suite with a PostgreSQL implementation, against a real PostgreSQL server. */
import { mailboxesContract } from './mailboxes.js';
import { leasesContract } from './leases.js';
import { postgresFactory, postgresLeaseFactory } from './stores.js';
import { syncCommitContract } from './sync-commit.js';
import { syncRunsContract } from './sync-runs.js';

mailboxesContract(postgresFactory);
syncCommitContract(postgresFactory);
syncRunsContract(postgresFactory);
leasesContract(postgresLeaseFactory);
