import { expect } from 'chai';
import { startTestServer, type TestServer } from './harness.ts';

/** fhir-kit-client is ESM-only; this loads it once and types the bits the tests use. */
export interface FhirClient {
  create(p: {
    resourceType: string;
    body: object;
    options?: { headers?: Record<string, string> };
  }): Promise<any>;
  read(p: { resourceType: string; id: string; options?: { headers?: Record<string, string> } }): Promise<any>;
  vread(p: { resourceType: string; id: string; version: string }): Promise<any>;
  update(p: {
    resourceType: string;
    id?: string;
    searchParams?: Record<string, string>;
    body: object;
    options?: { headers?: Record<string, string> };
  }): Promise<any>;
  delete(p: {
    resourceType: string;
    id: string;
    options?: { headers?: Record<string, string> };
  }): Promise<any>;
  patch(p: {
    resourceType: string;
    id: string;
    jsonPatch: object[];
    options?: { headers?: Record<string, string> };
  }): Promise<any>;
  transaction(p: { body: object }): Promise<any>;
  batch(p: { body: object }): Promise<any>;
  search(p: { resourceType: string; searchParams?: Record<string, string> }): Promise<any>;
  resourceHistory(p: { resourceType: string; id: string; options?: object }): Promise<any>;
  typeHistory(p: { resourceType: string; options?: object }): Promise<any>;
  systemHistory(p?: { options?: object }): Promise<any>;
  nextPage(p: { bundle: object }): Promise<any> | undefined;
  capabilityStatement(): Promise<any>;
  request(url: string, p?: { method?: string; body?: object; options?: object }): Promise<any>;
  operation(p: {
    name: string;
    resourceType?: string;
    id?: string;
    method?: string;
    input?: object;
  }): Promise<any>;
}

/** A fhir-kit-client for a test server, calling as its default caller (or with `authorization`). */
export async function fhirClient(
  server: Pick<TestServer, 'base' | 'authorization'>,
  authorization = server.authorization,
): Promise<FhirClient> {
  const { Client } = (await import('fhir-kit-client')) as unknown as {
    Client: new (config: { baseUrl: string; customHeaders?: Record<string, string> }) => FhirClient;
  };
  return new Client({
    baseUrl: server.base,
    ...(authorization && { customHeaders: { Authorization: authorization } }),
  });
}

/** Awaits a fhir-kit-client call that must fail, and returns its HTTP status and OperationOutcome. */
export async function failure(promise: Promise<unknown>): Promise<{ status: number; data: any }> {
  try {
    await promise;
  } catch (err) {
    const response = (err as { response?: { status: number; data: any } }).response;
    if (!response) throw err;
    return response;
  }
  expect.fail('the request was expected to fail');
}

/**
 * Registers mocha hooks that start a real server (own database) before the suite and close it
 * after; the returned object is filled in by the time the tests run.
 */
export function useFhirServer(...args: Parameters<typeof startTestServer>): {
  server: TestServer;
  client: FhirClient;
} {
  const env = {} as { server: TestServer; client: FhirClient };
  before(async () => {
    env.server = await startTestServer(...args);
    env.client = await fhirClient(env.server);
  });
  after(() => env.server.close());
  return env;
}
