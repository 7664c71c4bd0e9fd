import { resourceTypes } from '../model/type-info.ts';
import { modifiersOf } from '../search/compile/index.ts';
import type { SearchParamRegistry } from '../search/registry/registry.ts';
import type { Resource } from '../storage/types.ts';
import type { Route } from './routes.ts';

export interface SoftwareInfo {
  name: string;
  version: string;
  releaseDate?: string;
}

const OPERATION_DEFINITIONS: Record<string, string> = {
  $validate: 'http://hl7.org/fhir/OperationDefinition/Resource-validate',
  $everything: 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
};

/**
 * The CapabilityStatement, generated from the route table and the search parameters the
 * server understands: it can only claim what is wired.
 */
/** Parameters the engine handles itself rather than through a SearchParameter expression. */
const BUILT_IN = [
  { name: '_list', type: 'special', documentation: 'Resources listed in List/[id]' },
  {
    name: '_has',
    type: 'special',
    documentation: 'Reverse chaining: _has:Type:reference:parameter=value, nests',
  },
];

function searchParams(registry: SearchParamRegistry, type: string) {
  const params = registry
    .forType(type)
    .filter((p) => p.parts.length > 0 || ['_text', '_content'].includes(p.code))
    .map((p) => {
      const modifiers = modifiersOf[p.type].map((m) => `:${m}`);
      return {
        name: p.code,
        definition: p.url,
        type: p.type,
        documentation: [p.description, modifiers.length ? `Modifiers: ${modifiers.join(' ')}` : '']
          .filter(Boolean)
          .join(' — '),
      };
    });
  return [...params, ...BUILT_IN];
}

export function capabilityStatement(
  routes: Route[],
  software: SoftwareInfo,
  baseUrl: string,
  registry: SearchParamRegistry,
): Resource {
  const codes = (r: Route) => (Array.isArray(r.interaction) ? r.interaction : [r.interaction]);
  const typeInteractions = new Set<string>();
  const operations = new Map<string, Route['types']>();
  const definitions = new Map(Object.entries(OPERATION_DEFINITIONS));
  const systemInteractions = new Set<string>();
  const systemOperations = new Map<string, string | undefined>();
  for (const r of routes) {
    for (const code of codes(r)) {
      // An operation on the server as a whole (`[base]/$op`) is the server's, not each type's.
      if (code.startsWith('$') && r.level === 'system') systemOperations.set(code, r.definition);
      else if (code.startsWith('$')) {
        if (r.definition) definitions.set(code, r.definition);
        const known = operations.get(code);
        // A route for every type wins over one restricted to some.
        const everyType = !r.types || (operations.has(code) && known === undefined);
        operations.set(code, everyType ? undefined : [...(known ?? []), ...r.types!]);
      } else if (r.level === 'system') systemInteractions.add(code);
      else typeInteractions.add(code);
    }
  }
  const has = (code: string) => typeInteractions.has(code);
  const conditional = (method: Route['method']) =>
    routes.some((r) => r.method === method && r.pattern.join('/') === 'type');
  const resource = [...resourceTypes].sort().map((type) => ({
    type,
    interaction: [...typeInteractions].map((code) => ({ code })),
    versioning: 'versioned-update',
    readHistory: has('vread'),
    updateCreate: has('update'),
    conditionalCreate: has('create'),
    conditionalRead: 'full-support',
    conditionalUpdate: conditional('PUT'),
    conditionalDelete: conditional('DELETE') ? 'single' : 'not-supported',
    searchInclude: [
      '*',
      ...registry
        .forType(type)
        .filter((p) => p.type === 'reference' && p.parts.length > 0)
        .map((p) => `${type}:${p.code}`),
    ],
    searchRevInclude: ['*'],
    searchParam: searchParams(registry, type),
    operation: [...operations]
      .filter(([, types]) => !types || types.includes(type))
      .map(([name]) => ({
        name: name.slice(1),
        definition: definitions.get(name),
      })),
  }));
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: software.releaseDate ?? new Date().toISOString().slice(0, 10),
    kind: 'instance',
    software: { name: software.name, version: software.version },
    implementation: { description: 'Zorgpoort FHIR R4 server', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'application/fhir+xml'],
    patchFormat: ['application/json-patch+json', 'application/fhir+json', 'application/fhir+xml'],
    rest: [
      {
        mode: 'server',
        resource,
        interaction: [...systemInteractions].map((code) => ({ code })),
        ...(systemOperations.size
          ? {
              operation: [...systemOperations].map(([name, definition]) => ({
                name: name.slice(1),
                ...(definition ? { definition } : {}),
              })),
            }
          : {}),
        searchParam: searchParams(registry, 'Resource'),
        compartment: ['http://hl7.org/fhir/CompartmentDefinition/patient'],
      },
    ],
  };
}
