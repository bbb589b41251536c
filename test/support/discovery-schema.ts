/**
 * Validates JSON against the schemas of Google's discovery document (the subset it uses:
 * type, properties, items, $ref, and int64/uint64 carried as strings). Unknown keys are errors,
 * so a field Gmail does not have cannot slip into a fixture response.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './cli.js';

interface DiscoverySchema {
  type?: string;
  format?: string;
  properties?: Record<string, DiscoverySchema>;
  items?: DiscoverySchema;
  $ref?: string;
  additionalProperties?: DiscoverySchema;
}

type Discovery = { schemas: Record<string, DiscoverySchema> };
const load = (file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, 'test', 'fixtures', file), 'utf8')) as Discovery;
/** Gmail's discovery document, and (trimmed) Cloud Pub/Sub's for the fixture's Pub/Sub API. */
const documents = { gmail: load('gmail-v1-discovery.json'), pubsub: load('pubsub-v1-discovery.json') };
export type DiscoveryApi = keyof typeof documents;

export function schemaErrors(value: unknown, schemaName: string, api: DiscoveryApi = 'gmail'): string[] {
  const errors: string[] = [];
  visit(documents[api], value, { $ref: schemaName }, schemaName, errors);
  return errors;
}

function visit(discovery: Discovery, value: unknown, schema: DiscoverySchema, at: string, errors: string[]): void {
  if (schema.$ref) {
    const target = discovery.schemas[schema.$ref];
    if (!target) {
      errors.push(`${at}: unknown schema ${schema.$ref}`);
      return;
    }
    visit(discovery, value, target, at, errors);
    return;
  }
  switch (schema.type) {
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        errors.push(`${at}: expected an object`);
        return;
      }
      for (const [key, child] of Object.entries(value)) {
        const property = schema.properties?.[key] ?? schema.additionalProperties;
        if (!property) errors.push(`${at}.${key}: not in the schema`);
        else visit(discovery, child, property, `${at}.${key}`, errors);
      }
      return;
    }
    case 'array':
      if (!Array.isArray(value)) errors.push(`${at}: expected an array`);
      else value.forEach((item, index) => visit(discovery, item, schema.items ?? {}, `${at}[${index}]`, errors));
      return;
    case 'string':
      if (typeof value !== 'string') errors.push(`${at}: expected a string`);
      else if ((schema.format === 'int64' || schema.format === 'uint64') && !/^-?\d+$/.test(value)) errors.push(`${at}: expected a ${schema.format} string, got "${value}"`);
      else if (schema.format === 'byte' && !/^[A-Za-z0-9_\-+/=]*$/.test(value)) errors.push(`${at}: expected base64`);
      return;
    case 'integer':
      if (!Number.isInteger(value)) errors.push(`${at}: expected an integer`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') errors.push(`${at}: expected a boolean`);
      return;
    default:
      return;
  }
}

/** Asserts a response body matches a discovery schema, with every error in the message. */
export function expectSchema(value: unknown, schemaName: string, api: DiscoveryApi = 'gmail'): void {
  const errors = schemaErrors(value, schemaName, api);
  if (errors.length > 0) throw new Error(`${schemaName} does not match the discovery schema:\n${errors.slice(0, 20).join('\n')}`);
}
