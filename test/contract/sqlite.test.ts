/** Every port contract suite against the SQLite store. */
import { credentialEnvelopesContract } from './credential-envelopes.js';
import { credentialsContract } from './credentials.js';
import { mailboxesContract } from './mailboxes.js';
import { pushWatchesContract } from './push-watches.js';
import { sqliteFactory } from './stores.js';
import { fileVaultFactory } from './vaults.js';

mailboxesContract(sqliteFactory);
pushWatchesContract(sqliteFactory);
credentialEnvelopesContract(sqliteFactory);
credentialsContract(fileVaultFactory);
