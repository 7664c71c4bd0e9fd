import { writeOruR01, OutboundMappingError } from './oru-r01.ts';
import { writeSrm } from './srm.ts';
import type { Envelope, ReferralContent } from './envelope.ts';

type Json = Record<string, unknown>;

/** The outbound message types (FHIR → HL7 v2.4), each a module of its own; see ../README.md. */
export const OUTBOUND_TYPES = ['ORU^R01', 'SRM^S01', 'SRM^S04'] as const;
export type OutboundType = (typeof OUTBOUND_TYPES)[number];

export interface OutboundContent extends ReferralContent {
  /** ORU^R01: the letter (a DocumentReference with the document inline). */
  document?: Json;
  /** SRM: the proposed Appointment, if any. */
  appointment?: Json;
  /** SRM^S04: why the request is withdrawn. */
  reason?: string;
}

/** FHIR resources → one HL7 v2.4 message (text, segments ending in CR). Pure. */
export function writeMessage(type: OutboundType, e: Envelope, c: OutboundContent): string {
  switch (type) {
    case 'ORU^R01':
      if (!c.document) throw new OutboundMappingError('ORU^R01 carries a document: none was given');
      return writeOruR01(e, { ...c, document: c.document });
    case 'SRM^S01':
      return writeSrm('S01', e, c);
    case 'SRM^S04':
      return writeSrm('S04', e, c);
  }
}

export { OutboundMappingError };
export type { Envelope };
