import { mapAdt } from './adt/index.ts';
import { mapMdm } from './mdm/index.ts';
import { mapOrder } from './orm/index.ts';
import { mapOru } from './oru/index.ts';
import { mapSiu } from './siu/index.ts';
import type { MapContext, TransactionBundle } from './bundle.ts';
import { Hl7, Hl7Error, UnsupportedMessageError } from './hl7/message.ts';

/** The message types the mappers handle (MSH-9.1), each a module of its own; see README.md. */
const MAPPERS: Record<string, (m: Hl7, context: MapContext) => TransactionBundle> = {
  ADT: mapAdt,
  ORU: mapOru,
  MDM: mapMdm,
  SIU: mapSiu,
  ORM: mapOrder,
  OML: mapOrder,
};

const VERSIONS = /^2\.(3(\.1)?|4|5(\.1)?)$/;

/** One HL7 v2 message → the FHIR transaction that applies it. Pure: it reads and writes nothing. */
export function mapMessage(m: Hl7, context: MapContext = {}): TransactionBundle {
  const type = m.value('MSH', 9, 1);
  const mapper = MAPPERS[type];
  if (!mapper) {
    throw new UnsupportedMessageError(
      'MSH',
      9,
      `message type ${type || '(none)'} is not supported (supported: ${Object.keys(MAPPERS).join(', ')})`,
      '200',
    );
  }
  if (!VERSIONS.test(m.version)) {
    throw new UnsupportedMessageError(
      'MSH',
      12,
      `HL7 version ${m.version || '(none)'} is not supported (2.3 to 2.5.1)`,
      '203',
    );
  }
  return mapper(m, context);
}

export { Hl7, Hl7Error, UnsupportedMessageError };
export { decodeMessage } from './hl7/charset.ts';
export type { MapContext, TransactionBundle };
