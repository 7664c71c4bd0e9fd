import { searchAll } from '../search-all.ts';
import type { RestContext } from '../../fhir/rest/types.ts';
import { refuse } from '../language.ts';
import { readAs } from './parties.ts';

type Json = Record<string, unknown>;
type Ref = { reference?: string } | undefined;
type Content = { attachment?: { contentType?: string; data?: string } };

/** The letter's PDF among a DocumentReference's contents (the one a HIS takes as the letter). */
export const pdfOf = (d: Json) =>
  ((d.content ?? []) as Content[]).find(
    (c) => /^application\/pdf\b/i.test(c.attachment?.contentType ?? '') && c.attachment?.data,
  );

/**
 * The letter: the DocumentReference named, else the newest of the referral's (`context.related`)
 * — about the referral's patient, with a PDF inline. Read as the caller.
 */
export async function letterOf(
  ctx: RestContext,
  id: string,
  subject: string,
  named: string | undefined,
): Promise<Json> {
  const candidates = named
    ? [await readAs(ctx, { reference: named }, ['DocumentReference'])].filter((d): d is Json => Boolean(d))
    : await searchAs(ctx, 'DocumentReference', [
        ['related', `ServiceRequest/${id}`],
        ['_sort', '-date'],
      ]);
  const letter = candidates.find((d) => (d.subject as Ref)?.reference === subject && pdfOf(d));
  if (!letter) {
    refuse(ctx.language, 422, 'business-rule', {
      en: named
        ? `${named} is not a letter you may read about this referral's patient with a PDF inline (application/pdf)`
        : `ServiceRequest/${id} has no letter: a DocumentReference with context.related = ServiceRequest/${id}, about its patient, with a PDF inline (or name one in 'document')`,
      nl: named
        ? `${named} is geen brief over de patiënt van deze verwijzing die u mag inzien, met een pdf erin (application/pdf)`
        : `ServiceRequest/${id} heeft geen brief: een DocumentReference met context.related = ServiceRequest/${id}, over de patiënt, met een pdf erin (of noem er een in 'document')`,
    });
  }
  // Only the PDF goes: the other contents (a CDA, a text version) are not the letter a HIS files.
  return { ...letter, content: [pdfOf(letter)] };
}

/** The proposed appointment: the one named, else the newest based on this referral, if any; about its patient. */
export async function appointmentOf(
  ctx: RestContext,
  id: string,
  subject: string,
  named: string | undefined,
): Promise<Json | undefined> {
  const fits = (a: Json) =>
    ((a.basedOn ?? []) as Ref[]).some((r) => r?.reference === `ServiceRequest/${id}`) &&
    ((a.participant ?? []) as { actor?: Ref }[]).some((p) => p.actor?.reference === subject);
  if (!named) {
    return (
      await searchAs(ctx, 'Appointment', [
        ['based-on', `ServiceRequest/${id}`],
        ['_sort', '-_lastUpdated'],
      ])
    ).find(fits);
  }
  const appointment = await readAs(ctx, { reference: named }, ['Appointment']);
  if (!appointment || !fits(appointment)) {
    refuse(ctx.language, 422, 'business-rule', {
      en: `${named} is not an appointment you may read, based on ServiceRequest/${id}, with its patient`,
      nl: `${named} is geen afspraak die u mag inzien, gebaseerd op ServiceRequest/${id}, met de patiënt ervan`,
    });
  }
  return appointment;
}

/** Every match of a search, as the caller. */
const searchAs = async (
  ctx: RestContext,
  resourceType: string,
  params: [string, string][],
): Promise<Json[]> =>
  (await searchAll(ctx, { resourceType }, params)).map((v) => JSON.parse(v.content!) as Json);

/** The practitioner's PractitionerRoles (active), as the caller may read them. */
export async function rolesOf(ctx: RestContext, practitionerId: string): Promise<Json[]> {
  return (
    await searchAs(ctx, 'PractitionerRole', [['practitioner', `Practitioner/${practitionerId}`]])
  ).filter((r) => r.active !== false);
}
