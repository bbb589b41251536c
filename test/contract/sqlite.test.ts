/** Every port contract suite against the SQLite store. */
import { changeNotifierContract } from './change-notifier.js';
import { consumersContract } from './consumers.js';
import { eventLogContract } from './event-log.js';
import { mailboxesContract } from './mailboxes.js';
import { sqliteFactory } from './stores.js';

mailboxesContract(sqliteFactory);
eventLogContract(sqliteFactory);
changeNotifierContract(sqliteFactory);
consumersContract(sqliteFactory);
