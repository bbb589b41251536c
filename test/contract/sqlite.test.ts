/** Every port contract suite against the SQLite store. */
import { mailboxesContract } from './mailboxes.js';
import { messagesContract } from './messages.js';
import { retentionContract } from './retention.js';
import { storeHealthContract } from './store-health.js';
import { sqliteFactory } from './stores.js';

mailboxesContract(sqliteFactory);
messagesContract(sqliteFactory);
retentionContract(sqliteFactory);
storeHealthContract(sqliteFactory);
