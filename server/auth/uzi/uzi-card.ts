/**
 * The UZI register's identity in a card or server certificate: subjectAltName otherName
 * 2.5.5.5, an IA5String `<OID-CA>-<version>-<UZI-nr>-<card type>-<subscriber nr>-<role code>-<AGB>`
 * (UZI-register, "Certificate Policy", the SAN layout of the UZI-pas and UZI server certificates).
 */
export type UziCardType = 'Z' | 'N' | 'M' | 'S';

export interface UziCard {
  caOid: string;
  version: string;
  uziNumber: string;
  /** Z zorgverlenerpas, N medewerkerpas op naam, M medewerkerpas niet op naam, S servercertificaat. */
  cardType: UziCardType;
  /** Abonneenummer: the subscribing organisation (URA). */
  subscriber: string;
  /** Rolcode, e.g. 01.015 huisarts; 00.000 when the card holder has no care role. */
  roleCode: string;
  agb: string;
}

export const UZI_OTHERNAME_OID = '2.5.5.5';

const LAYOUT =
  /^([0-9]+(?:\.[0-9]+)+)-([0-9]+)-([0-9]{1,9})-([ZNMS])-([0-9]{1,8})-([0-9]{2}\.[0-9]{3})-([0-9]{1,8})$/;

/** Parses the otherName value; undefined when it is not in the UZI layout. */
export function parseUziOtherName(value: string): UziCard | undefined {
  const m = LAYOUT.exec(value.trim());
  if (!m) return undefined;
  return {
    caOid: m[1]!,
    version: m[2]!,
    uziNumber: m[3]!,
    cardType: m[4] as UziCardType,
    subscriber: m[5]!,
    roleCode: m[6]!,
    agb: m[7]!,
  };
}

/** Only cards naming a person may log a person in: not a server certificate, not an unnamed employee card. */
export function isPersonCard(card: UziCard): boolean {
  return card.cardType === 'Z' || card.cardType === 'N';
}
