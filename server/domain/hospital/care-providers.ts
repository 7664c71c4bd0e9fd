import type { RestContext } from '../../fhir/rest/types.ts';
import { readAs } from '../referral/parties.ts';
import { ORGANIZATION_TYPE_SYSTEMS, UZI_ROLE_SYSTEMS, type PortalRole } from './vocabulary.ts';

type Json = Record<string, unknown>;
type Ref = { reference?: string } | undefined;
type Coding = { system?: string; code?: string; display?: string };
type Concept = { coding?: Coding[]; text?: string };

/** One of the patient's own care providers (Patient.generalPractitioner), with what it is. */
export interface CareProvider {
  role: Extract<PortalRole, 'general-practitioner' | 'dentist' | 'pharmacy'>;
  /** The referenced resource first, then what it names (a PractitionerRole's practitioner and organisation). */
  resources: Json[];
}

const concepts = (value: unknown): Concept[] => (Array.isArray(value) ? (value as Concept[]) : []);
const codings = (list: Concept[]) => list.flatMap((c) => c.coding ?? []);
const words = (list: Concept[]) =>
  list.flatMap((c) => [c.text ?? '', ...(c.coding ?? []).map((k) => k.display ?? '')]).join(' ');

/**
 * What a provider's codes say it is: UZI role 02.* (tandarts, orthodontist, kaakchirurg) a
 * dentist, 17.* (apotheker) and 83.000 (apothekersassistent) a pharmacy, organisation type J8
 * (openbare apotheek) a pharmacy; a type or role whose text says "tandarts" or "apotheek" too
 * (organisation types have no code of their own for a dental practice in RoleCodeNL). Anything
 * else in Patient.generalPractitioner is the GP, as FHIR means the element.
 */
export function providerRole(roleCodes: Concept[], organizationTypes: Concept[]): CareProvider['role'] {
  const uzi = codings(roleCodes).filter((k) => UZI_ROLE_SYSTEMS.has(k.system ?? ''));
  if (uzi.some((k) => k.code?.startsWith('02.'))) return 'dentist';
  if (uzi.some((k) => k.code?.startsWith('17.') || k.code === '83.000')) return 'pharmacy';
  if (
    codings(organizationTypes).some((k) => ORGANIZATION_TYPE_SYSTEMS.has(k.system ?? '') && k.code === 'J8')
  )
    return 'pharmacy';
  const text = `${words(roleCodes)} ${words(organizationTypes)}`.toLowerCase();
  if (/tandarts|dentist|orthodont/.test(text)) return 'dentist';
  if (/apothe|pharmac/.test(text)) return 'pharmacy';
  return 'general-practitioner';
}

/**
 * The patient's GP, dentist and pharmacy: each Patient.generalPractitioner (a Practitioner, a
 * PractitionerRole with its practitioner and organisation, or an Organization), read as the
 * caller (the directory is everyone's), and what each is. A reference the caller cannot read,
 * or to another server, is left out.
 */
export async function careProvidersOf(ctx: RestContext, patient: Json): Promise<CareProvider[]> {
  const out: CareProvider[] = [];
  for (const ref of (patient.generalPractitioner ?? []) as Ref[]) {
    const found = await readAs(ctx, ref, ['Practitioner', 'PractitionerRole', 'Organization']);
    if (!found) continue;
    if (found.resourceType === 'Organization') {
      out.push({ role: providerRole([], concepts(found.type)), resources: [found] });
    } else if (found.resourceType === 'Practitioner') {
      const qualifications = ((found.qualification ?? []) as { code?: Concept }[]).flatMap((q) =>
        q.code ? [q.code] : [],
      );
      out.push({ role: providerRole(qualifications, []), resources: [found] });
    } else {
      const practitioner = await readAs(ctx, found.practitioner as Ref, ['Practitioner']);
      const organization = await readAs(ctx, found.organization as Ref, ['Organization']);
      out.push({
        role: providerRole(
          [...concepts(found.code), ...concepts(found.specialty)],
          concepts(organization?.type),
        ),
        resources: [found, ...(practitioner ? [practitioner] : []), ...(organization ? [organization] : [])],
      });
    }
  }
  return out;
}
