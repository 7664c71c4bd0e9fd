import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, id_ce_subjectAltName, SubjectAlternativeName } from '@peculiar/asn1-x509';
import * as asn1js from 'asn1js';

/**
 * The string values of a certificate's subjectAltName otherNames with the given type OID.
 * Node's X509Certificate prints otherNames as `<unsupported>`, so the DER is decoded here.
 */
export function otherNames(der: Uint8Array, typeOid: string): string[] {
  const cert = AsnConvert.parse(der, Certificate);
  const ext = cert.tbsCertificate.extensions?.find((e) => e.extnID === id_ce_subjectAltName);
  if (!ext) return [];
  const san = AsnConvert.parse(ext.extnValue, SubjectAlternativeName);
  const out: string[] = [];
  for (const name of san) {
    if (name.otherName?.typeId !== typeOid) continue;
    const decoded = asn1js.fromBER(name.otherName.value);
    const block = decoded.result as unknown as { valueBlock?: { value?: unknown } };
    if (decoded.offset !== -1 && typeof block.valueBlock?.value === 'string')
      out.push(block.valueBlock.value);
  }
  return out;
}
