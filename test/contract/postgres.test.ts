/** Every port contract suite with a PostgreSQL implementation, against a real PostgreSQL server. */
import { deliveryQueueContract } from './delivery-queue.js';
import { endpointsContract } from './endpoints.js';
import { eventLogContract } from './event-log.js';
import { leasesContract } from './leases.js';
import { mailboxesContract } from './mailboxes.js';
import { postgresFactory, postgresLeaseFactory } from './stores.js';
import { syncCommitContract } from './sync-commit.js';
import { syncRunsContract } from './sync-runs.js';

mailboxesContract(postgresFactory);
eventLogContract(postgresFactory);
syncCommitContract(postgresFactory);
syncRunsContract(postgresFactory);
endpointsContract(postgresFactory);
deliveryQueueContract(postgresFactory);
leasesContract(postgresLeaseFactory);
