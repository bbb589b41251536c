/** Every port contract suite against the SQLite store (and the file lease and file vault beside it). */
import { apiKeysContract } from './api-keys.js';
import { credentialEnvelopesContract } from './credential-envelopes.js';
import { credentialsContract } from './credentials.js';
import { daemonsContract } from './daemons.js';
import { deliveryQueueContract } from './delivery-queue.js';
import { endpointsContract } from './endpoints.js';
import { leasesContract } from './leases.js';
import { mailboxesContract } from './mailboxes.js';
import { pushWatchesContract } from './push-watches.js';
import { fileLeaseFactory, sqliteFactory } from './stores.js';
import { syncCommitContract } from './sync-commit.js';
import { syncRunsContract } from './sync-runs.js';
import { fileVaultFactory } from './vaults.js';

mailboxesContract(sqliteFactory);
endpointsContract(sqliteFactory);
deliveryQueueContract(sqliteFactory);
syncCommitContract(sqliteFactory);
syncRunsContract(sqliteFactory);
pushWatchesContract(sqliteFactory);
credentialEnvelopesContract(sqliteFactory);
leasesContract(fileLeaseFactory);
credentialsContract(fileVaultFactory);
apiKeysContract(sqliteFactory);
daemonsContract(sqliteFactory);
