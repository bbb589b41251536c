/**
 * Named secrets kept encrypted at rest (the credential store): what the endpoint use cases need
 * of it. The credential vault implements it.
 */
export interface Secrets {
  saveSecret(name: string, value: string): Promise<void>;
  loadSecret(name: string): Promise<string | undefined>;
  /** false when there was nothing to delete. */
  deleteSecret(name: string): Promise<boolean>;
}
