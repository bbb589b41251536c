/** Every port contract suite against the SQLite store. */
import { deliveryQueueContract } from './delivery-queue.js';
import { endpointsContract } from './endpoints.js';
import { mailboxesContract } from './mailboxes.js';
import { sqliteFactory } from './stores.js';

mailboxesContract(sqliteFactory);
endpointsContract(sqliteFactory);
deliveryQueueContract(sqliteFactory);
