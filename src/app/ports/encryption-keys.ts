/**
 * The key material envelopes are sealed with: the current key (environment, else the home's key
 * file) and the old keys a rewrap may be given. Reading never creates a key; a malformed key is
 * encryption_key_invalid and no message carries key material.
 */
export interface EncryptionKey {
  key: Buffer;
  /** Public: first 16 hex chars of the key's sha256. */
  keyId: string;
  /** env: the current-key variable; file: the home's key file; old-env / old-file: given to rewrap. */
  source: 'env' | 'file' | 'old-env' | 'old-file';
  /** For file sources, the path (never the key). */
  file?: string;
}

export interface EncryptionKeys {
  /** Where the home's key file lives, for messages. */
  readonly keyFileLocation: string;
  /** The environment's key, else the key file's; undefined when neither is set. */
  current(): Promise<EncryptionKey | undefined>;
  /** The home's key file, even when the environment sets another key; undefined when absent. */
  keyFile(): Promise<EncryptionKey | undefined>;
  /** The old key set in the environment for a rewrap; undefined when unset. */
  oldFromEnv(): Promise<EncryptionKey | undefined>;
  /** A key file the user named; undefined when it does not exist. */
  fromFile(file: string): Promise<EncryptionKey | undefined>;
}
