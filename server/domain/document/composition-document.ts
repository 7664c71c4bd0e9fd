import { randomUUID } from 'node:crypto';
import { FhirError } from '../../fhir/errors.ts';
import { loadCurrent } from '../../fhir/rest/read.ts';
import type { FhirRequest, Route } from '../../fhir/rest/routes.ts';
import type { FhirResult, RestContext } from '../../fhir/rest/types.ts';
import type { Resource } from '../../fhir/storage/types.ts';
import { refuse } from '../language.ts';
import { readParameters } from '../parameters.ts';

type Json = Record<string, unknown>;

export const DOCUMENT_OPERATION = 'http://hl7.org/fhir/OperationDefinition/Composition-document';

/** Every relative reference (`Type/id`) anywhere in a resource, in the order they appear. */
function referencesIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) referencesIn(v, out);
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value as Json)) {
      if (key === 'reference' && typeof v === 'string' && /^[A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64}$/.test(v)) {
        if (!out.includes(v)) out.push(v);
      } else if (key !== 'contained') referencesIn(v, out);
    }
  }
  return out;
}

/**
 * `Composition/[id]/$document` (FHIR's operation): the document Bundle — `type` document, an
 * identifier, a timestamp, the Composition first, then every resource it references (subject,
 * encounter, authors, attesters, custodian, section entries, …), each read as the caller
 * through the gate. A document is complete or it is not given: when a referenced resource is
 * not available to the caller (missing, deleted or hidden from them — one answer for all, so the
 * refusal tells nothing of what exists) the answer is 422 naming the references, never a
 * document with holes that reads as whole. `persist` (store the Bundle) is not supported (422).
 */
export async function compositionDocument(
  ctx: RestContext,
  id: string,
  req: FhirRequest,
): Promise<FhirResult> {
  const lang = ctx.language;
  const fromQuery = req.query.get('persist');
  const persist =
    req.method === 'POST'
      ? readParameters(req.body ?? { resourceType: 'Parameters' }, lang, '$document').boolean('persist')
      : undefined;
  if (persist === true || fromQuery === 'true') {
    refuse(lang, 422, 'not-supported', {
      en: 'persist=true is not supported: this server assembles the document on request and does not store it as a Bundle',
      nl: 'persist=true wordt niet ondersteund: deze server stelt het document op verzoek samen en bewaart het niet als Bundle',
    });
  }
  if (fromQuery !== null && fromQuery !== 'false' && fromQuery !== 'true') {
    refuse(lang, 400, 'invalid', {
      en: `persist is true or false, not '${fromQuery}'`,
      nl: `persist is true of false, niet '${fromQuery}'`,
    });
  }
  if (req.query.get('graph')) {
    refuse(lang, 422, 'not-supported', {
      en: 'graph is not supported: the document holds the resources the Composition references',
      nl: 'graph wordt niet ondersteund: het document bevat de resources waarnaar de Composition verwijst',
    });
  }
  const composition = JSON.parse((await loadCurrent(ctx, 'Composition', id)).content!) as Json;
  const references = referencesIn({ ...composition, id: undefined });
  const found: Json[] = [];
  const unavailable: string[] = [];
  for (const reference of references) {
    const [type, rid] = reference.split('/') as [string, string];
    try {
      found.push(JSON.parse((await loadCurrent(ctx, type, rid)).content!) as Json);
    } catch (err) {
      if (!(err instanceof FhirError) || ![403, 404, 410].includes(err.status)) throw err;
      unavailable.push(reference);
    }
  }
  if (unavailable.length) {
    refuse(lang, 422, 'business-rule', {
      en: `Composition/${id} cannot be given as a whole document: ${unavailable.join(', ')} is not available to you (missing, deleted, or not yours to see); a document is given complete or not at all`,
      nl: `Composition/${id} kan niet als volledig document worden gegeven: ${unavailable.join(', ')} is voor u niet beschikbaar (ontbreekt, verwijderd, of niet voor u zichtbaar); een document wordt volledig gegeven of niet`,
    });
  }
  const entry = (r: Json) => ({
    fullUrl: `${ctx.baseUrl}/${r.resourceType as string}/${r.id as string}`,
    resource: r,
  });
  return {
    status: 200,
    headers: {},
    resource: {
      resourceType: 'Bundle',
      identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${randomUUID()}` },
      type: 'document',
      timestamp: new Date().toISOString(),
      entry: [entry(composition), ...found.map(entry)],
    } as Resource,
  };
}

export const documentRoutes: Route[] = (['GET', 'POST'] as const).map((method) => ({
  method,
  pattern: ['type', 'id', '$document'],
  types: ['Composition'],
  interaction: '$document',
  level: 'instance' as const,
  definition: DOCUMENT_OPERATION,
  handle: (ctx: RestContext, req: FhirRequest, m: { id: string }) => compositionDocument(ctx, m.id, req),
}));
