import type { Principal } from '../auth/principal.ts';
import type { Resource } from '../fhir/storage/types.ts';

/**
 * One AuditEvent per interaction, in the shape of IHE Basic Audit Log Patterns (BALP) with the
 * content NEN 7513 asks for: who (the user, their role and organisation, the client
 * application), what (the interaction, the query, the resource, and each patient whose data
 * went out), when, why (purpose of use) and with what outcome.
 */
export interface AuditFacts {
  principal: Principal;
  /** The FHIR interaction (`read`, `search-type`, `create`, `$everything`, `transaction`…). */
  interaction: string;
  resourceType?: string;
  id?: string;
  /** The query string of a search or conditional interaction, as received. */
  query?: string;
  status: number;
  /** On failure: what went wrong, as told to the caller. */
  failure?: string;
  /** The patient whose data the answer disclosed or the write concerned (BALP: one per event). */
  patient?: string;
  /**
   * On what the disclosure of that patient's data rested (AccessPolicy.basisOf): `own-data`,
   * `relationship:<basis>`, `consent`, `emergency`, `trusted-client`, `auditor`.
   */
  basis?: readonly string[];
  /** The resources concerned, as `Type/id` (at most MAX_RESOURCES are listed). */
  resources?: string[];
  recorded: Date;
  /** Our own base URL: the observer and destination. */
  server: string;
  /** The network address of the caller. */
  clientAddress?: string;
}

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
/** Resources listed per event; beyond it the first entity says how many there were. */
const MAX_RESOURCES = 100;
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const ENTITY_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
const ACT_REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
const NS = 'http://fhir.nl/fhir/NamingSystem/';

const ACTION: Record<string, 'C' | 'R' | 'U' | 'D' | 'E'> = {
  create: 'C',
  read: 'R',
  vread: 'R',
  'history-instance': 'R',
  'history-type': 'R',
  'history-system': 'R',
  'search-type': 'E',
  'search-system': 'E',
  update: 'U',
  patch: 'U',
  delete: 'D',
};

/** 0 success, 4 the caller's failure, 8 ours (FHIR audit-event-outcome). */
function outcome(status: number): '0' | '4' | '8' {
  return status < 400 ? '0' : status < 500 ? '4' : '8';
}

/** Why the caller asks: treatment for caregivers, the patient's own request, operations for systems. */
function purposeOfUse(principal: Principal, basis?: readonly string[]): string {
  // Only an emergency grant let the data out: break-the-glass.
  if (basis?.includes('emergency') && !basis.some((b) => b.startsWith('relationship:'))) return 'BTG';
  switch (principal.kind) {
    case 'practitioner':
      return 'TREAT';
    case 'patient':
    case 'account':
    case 'related-person':
      return 'PATRQT';
    default:
      return 'HOPERAT';
  }
}

function userAgent(principal: Principal): Record<string, unknown> | undefined {
  const requestor = {
    type: {
      coding: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
          code: 'IRCP',
          display: 'information recipient',
        },
      ],
    },
    requestor: true,
  };
  switch (principal.kind) {
    case 'practitioner': {
      const card = principal.card;
      return {
        ...requestor,
        who: {
          reference: `Practitioner/${principal.practitionerId}`,
          ...(card?.uziNumber ? { identifier: { system: `${NS}uzi-nr-pers`, value: card.uziNumber } } : {}),
        },
        role: principal.roles.flatMap((r) => [
          { coding: r.codes.map((c) => ({ system: c.split('|')[0], code: c.split('|')[1] })) },
        ]),
        ...(principal.roles[0]?.organizationId
          ? {
              extension: [
                {
                  url: 'http://zorgpoort.nl/fhir/StructureDefinition/audit-agent-organization',
                  valueReference: { reference: `Organization/${principal.roles[0].organizationId}` },
                },
              ],
            }
          : {}),
      };
    }
    case 'patient':
      return { ...requestor, who: { reference: `Patient/${principal.patientId}` } };
    case 'account':
      return { ...requestor, who: { reference: `Person/${principal.personId}` } };
    case 'related-person':
      return { ...requestor, who: { reference: `RelatedPerson/${principal.relatedPersonId}` } };
    default:
      return undefined;
  }
}

function clientAgent(principal: Principal, address?: string): Record<string, unknown> {
  const clientId =
    principal.kind === 'anonymous'
      ? undefined
      : (principal.smart?.clientId ?? (principal.kind === 'system' ? principal.clientId : undefined));
  return {
    type: { coding: [{ system: DCM, code: '110153', display: 'Source Role ID' }] },
    who: clientId
      ? {
          identifier: { system: 'http://zorgpoort.nl/fhir/NamingSystem/client-id', value: clientId },
          display: clientId,
        }
      : { display: principal.kind === 'anonymous' ? 'anonymous' : `${principal.via} login` },
    requestor: principal.kind === 'system',
    ...(principal.kind === 'system' && principal.organizationId
      ? {
          extension: [
            {
              url: 'http://zorgpoort.nl/fhir/StructureDefinition/audit-agent-organization',
              valueReference: { reference: `Organization/${principal.organizationId}` },
            },
          ],
        }
      : {}),
    ...(address ? { network: { address, type: '2' } } : {}),
  };
}

export function buildAuditEvent(f: AuditFacts): Resource {
  const user = userAgent(f.principal);
  const action = ACTION[f.interaction] ?? 'E';
  const entity: Record<string, unknown>[] = [];
  if (f.patient) {
    entity.push({
      what: { reference: `Patient/${f.patient}` },
      type: { system: ENTITY_TYPE, code: '1', display: 'Person' },
      role: { system: ENTITY_ROLE, code: '1', display: 'Patient' },
      ...(f.basis?.length ? { detail: [{ type: 'basis', valueString: f.basis.join(' ') }] } : {}),
    });
  }
  const resources = [
    ...new Set([...(f.resourceType && f.id ? [`${f.resourceType}/${f.id}`] : []), ...(f.resources ?? [])]),
  ];
  for (const [i, reference] of resources.slice(0, MAX_RESOURCES).entries()) {
    entity.push({
      what: { reference },
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
      role: { system: ENTITY_ROLE, code: '4', display: 'Domain Resource' },
      // A large answer is listed in part; the count says how much there was.
      ...(i === 0 && resources.length > MAX_RESOURCES
        ? { description: `${resources.length} resources, the first ${MAX_RESOURCES} listed` }
        : {}),
    });
  }
  if (f.query) {
    entity.push({
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
      role: { system: ENTITY_ROLE, code: '24', display: 'Query' },
      // sev-1: an entity has a name or a query, not both; the searched type goes here.
      ...(f.resourceType ? { description: f.resourceType } : {}),
      query: Buffer.from(f.query, 'utf8').toString('base64'),
    });
  }
  return {
    resourceType: 'AuditEvent',
    type: {
      system: 'http://terminology.hl7.org/CodeSystem/audit-event-type',
      code: 'rest',
      display: 'Restful Operation',
    },
    subtype: [
      f.interaction.startsWith('$')
        ? { system: 'http://zorgpoort.nl/fhir/CodeSystem/operation', code: f.interaction }
        : { system: 'http://hl7.org/fhir/restful-interaction', code: f.interaction },
    ],
    action,
    recorded: f.recorded.toISOString(),
    outcome: outcome(f.status),
    ...(f.failure ? { outcomeDesc: f.failure.slice(0, 1000) } : {}),
    purposeOfEvent: [{ coding: [{ system: ACT_REASON, code: purposeOfUse(f.principal, f.basis) }] }],
    agent: [
      ...(user ? [user] : []),
      clientAgent(f.principal, f.clientAddress),
      {
        type: { coding: [{ system: DCM, code: '110152', display: 'Destination Role ID' }] },
        who: { display: f.server },
        requestor: false,
        network: { address: f.server, type: '5' },
      },
    ],
    source: {
      observer: { display: f.server },
      type: [
        {
          system: 'http://terminology.hl7.org/CodeSystem/security-source-type',
          code: '4',
          display: 'Application Server',
        },
      ],
    },
    ...(entity.length ? { entity } : {}),
  } as Resource;
}
