/** Every port contract suite against the SQLite store (and the file lease beside it). */
import { deliveryQueueContract } from './delivery-queue.js';
import { endpointsContract } from './endpoints.js';
import { leasesContract } from './leases.js';
import { mailboxesContract } from './mailboxes.js';
import { fileLeaseFactory, sqliteFactory } from './stores.js';
import { syncCommitContract } from './sync-commit.js';
import { syncRunsContract } from './sync-runs.js';

mailboxesContract(sqliteFactory);
endpointsContract(sqliteFactory);
deliveryQueueContract(sqliteFactory);
syncCommitContract(sqliteFactory);
syncRunsContract(sqliteFactory);
leasesContract(fileLeaseFactory);
