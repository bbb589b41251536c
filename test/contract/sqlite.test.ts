/** Every port contract suite against the SQLite store. */
import { mailboxesContract } from './mailboxes.js';
import { sqliteFactory } from './stores.js';

mailboxesContract(sqliteFactory);
