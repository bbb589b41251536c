/**
 * An independent judge of the HTTP API: a fetch wrapper that checks every JSON response against
 * the committed OpenAPI document (openapi/openapi.json) with ajv (JSON Schema 2020-12, the
 * dialect of OpenAPI 3.1), and records each check so a test can assert every route was judged.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { ROOT } from './cli.js';

interface Operation {
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}
type Document = { paths: Record<string, Record<string, Operation>> };

export const openApiDocument = JSON.parse(fs.readFileSync(path.join(ROOT, 'openapi', 'openapi.json'), 'utf8')) as Document;

export interface Checked {
  method: string;
  route: string;
  status: number;
}

export class OpenApiJudge {
  readonly checked: Checked[] = [];
  readonly failures: string[] = [];
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly routes = Object.keys(openApiDocument.paths)
    .map((route) => ({ route, pattern: new RegExp(`^${route.replace(/\{[^}]+\}/g, '[^/]+')}$`) }))
    // Literal paths win over templates (/v1/events/stream before /v1/events/{id}).
    .sort((a, b) => Number(a.route.includes('{')) - Number(b.route.includes('{')));

  constructor() {
    addFormats.default(this.ajv);
  }

  /** A fetch that judges each JSON response before handing it on. */
  readonly fetch = async (request: Request): Promise<Response> => {
    const response = await fetch(request);
    if ((response.headers.get('content-type') ?? '').startsWith('application/json')) this.judge(request.method, new URL(request.url).pathname, response.status, await response.clone().json());
    return response;
  };

  judge(method: string, pathname: string, status: number, body: unknown): void {
    const route = this.routes.find((candidate) => candidate.pattern.test(pathname))?.route;
    const schema = route ? openApiDocument.paths[route][method.toLowerCase()]?.responses[String(status)]?.content?.['application/json']?.schema : undefined;
    if (!route || !schema) {
      this.failures.push(`${method} ${pathname} ${status}: not in the OpenAPI document`);
      return;
    }
    const key = `${method} ${route} ${status}`;
    let validate = this.validators.get(key);
    if (!validate) this.validators.set(key, (validate = this.ajv.compile(schema)));
    if (!validate(body)) this.failures.push(`${key}: ${this.ajv.errorsText(validate.errors)}`);
    this.checked.push({ method, route, status });
  }
}
