import { MERGE_OPERATION, mergePatients } from '../domain/merge/merge-patient.ts';
import { BREAK_THE_GLASS_OPERATION, type createBreakTheGlass } from '../domain/emergency/break-the-glass.ts';
import { processBundle } from '../fhir/bundle/process-bundle.ts';
import { capabilityStatement, type SoftwareInfo } from '../fhir/rest/capabilities.ts';
import type { Dispatch } from '../fhir/rest/dispatch.ts';
import { purge } from '../fhir/rest/purge.ts';
import type { Route } from '../fhir/rest/routes.ts';
import type { SearchParamRegistry } from '../fhir/search/registry/registry.ts';

/**
 * The server's own endpoints: transactions and batches (dispatched through the same routes as
 * HTTP requests, `routes` being the full list once filled) and the CapabilityStatement of them.
 */
export function systemRoutes(deps: {
  dispatch: Dispatch;
  routes: Route[];
  registry: SearchParamRegistry;
  software: SoftwareInfo;
  onEntryError: (err: unknown, index: number) => void;
}): Route[] {
  return [
    {
      method: 'POST',
      pattern: [],
      interaction: ['transaction', 'batch'],
      level: 'system',
      handle: (ctx, req) =>
        processBundle(
          ctx,
          deps.dispatch,
          req.body,
          { representation: req.representation === true, lenient: req.lenient === true },
          deps.onEntryError,
        ),
    },
    {
      method: 'GET',
      pattern: ['metadata'],
      interaction: [],
      level: 'system',
      handle: async (ctx) => ({
        status: 200,
        headers: {},
        resource: capabilityStatement(deps.routes, deps.software, ctx.baseUrl, deps.registry),
      }),
    },
  ];
}

/** Break-the-glass and the merge of two Patient records. */
export function patientOperationRoutes(breakTheGlass: ReturnType<typeof createBreakTheGlass>): Route[] {
  return [
    {
      method: 'POST',
      pattern: ['type', 'id', '$break-the-glass'],
      types: ['Patient'],
      interaction: '$break-the-glass',
      level: 'instance',
      definition: BREAK_THE_GLASS_OPERATION,
      handle: (ctx, req, m) => breakTheGlass(ctx, m.id, req.body),
    },
    {
      method: 'POST',
      pattern: ['type', '$merge'],
      types: ['Patient'],
      interaction: '$merge',
      level: 'type',
      definition: MERGE_OPERATION,
      handle: (ctx, req) => mergePatients(ctx, req.body),
    },
  ];
}

/** Conformance mode only: a patient's whole compartment removed (the Nictiz load scripts reset with it). */
export const PURGE_ROUTE: Route = {
  method: 'POST',
  pattern: ['type', 'id', '$purge'],
  types: ['Patient'],
  interaction: '$purge',
  level: 'instance',
  handle: (ctx, _req, m) => purge(ctx, m.id),
};
