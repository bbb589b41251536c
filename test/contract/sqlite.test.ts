/** Every port contract suite against the SQLite store. */
import { apiKeysContract } from './api-keys.js';
import { mailboxesContract } from './mailboxes.js';
import { sqliteFactory } from './stores.js';

mailboxesContract(sqliteFactory);
apiKeysContract(sqliteFactory);
