import type { Language } from '../language.ts';
import { refuse } from '../language.ts';
import { ICPC_SYSTEM } from './vocabulary.ts';

type Json = Record<string, unknown>;
type Parameter = Json & { name?: string; part?: Parameter[]; resource?: Json };

/** The letter's sections (Nictiz ELZ hg-ReferralComposition), by the part names `letter` takes. */
export const LETTER_SECTIONS = [
  { part: 'reason', title: 'Reden van verwijzing', code: '440378000', display: 'verwijzing voor' },
  { part: 'question', title: 'Vraagstelling', code: '406550009', display: 'samenvatting van zorgvraag' },
  { part: 'history', title: 'Voorgeschiedenis', loinc: '11348-0', display: 'History of past illness' },
  { part: 'medication', title: 'Medicatie', loinc: '10160-0', display: 'History of medication use' },
  {
    part: 'treatment',
    title: 'Ingestelde behandeling',
    code: '108631000146107',
    display: 'behandeling lopende',
  },
  {
    part: 'other',
    title: 'Verder van belang',
    code: '159121000146100',
    display: 'toelichting op voorgesteld beleid',
  },
] as const;

export type LetterSection = (typeof LETTER_SECTIONS)[number] & { text: string };

/** An attachment as given: checked for type and size here, its content when it is stored. */
export interface AttachmentInput {
  contentType: string;
  data: string;
  title: string;
  /** Bytes once decoded (from the base64 length). */
  size: number;
}

/** Common document and image types a referrer attaches ("Lokaal bestand"). */
export const ATTACHMENT_TYPES: Record<string, string> = {
  'application/pdf': 'PDF',
  'image/jpeg': 'JPEG',
  'image/png': 'PNG',
  'image/tiff': 'TIFF',
  'image/gif': 'GIF',
  'application/msword': 'Word (doc)',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'Word (docx)',
  'application/vnd.ms-excel': 'Excel (xls)',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'Excel (xlsx)',
  'application/vnd.oasis.opendocument.text': 'OpenDocument (odt)',
  'application/vnd.oasis.opendocument.spreadsheet': 'OpenDocument (ods)',
  'application/rtf': 'RTF',
  'text/rtf': 'RTF',
  'text/plain': 'text',
  'text/csv': 'CSV',
};

const params = (body: unknown): Parameter[] =>
  (((body as { parameter?: unknown } | undefined)?.parameter ?? []) as Parameter[]).filter(
    (x) => x && typeof x === 'object',
  );

/** `reason` (0..*): ICPC-1 NL codings (valueCoding with the ICPC system, or valueCode). */
export function reasonCodes(language: Language, body: unknown): Json[] {
  return params(body)
    .filter((x) => x.name === 'reason')
    .map((x) => {
      const coding =
        (x.valueCoding as Json | undefined) ??
        (x.valueCode ? { system: ICPC_SYSTEM, code: x.valueCode } : undefined);
      const code = coding?.code as string | undefined;
      if (
        !coding ||
        (coding.system ?? ICPC_SYSTEM) !== ICPC_SYSTEM ||
        !code ||
        !/^[A-Z][0-9]{2}(\.[0-9]{1,2})?$/.test(code)
      ) {
        refuse(language, 400, 'invalid', {
          en: `'reason' is an ICPC-1 code (${ICPC_SYSTEM}, e.g. L15): valueCoding or valueCode`,
          nl: `'reason' is een ICPC-1-code (${ICPC_SYSTEM}, bijv. L15): valueCoding of valueCode`,
        });
      }
      return {
        coding: [{ system: ICPC_SYSTEM, code, ...(coding.display ? { display: coding.display } : {}) }],
      };
    });
}

/** The patient's e-mail address and mobile number, checked enough to be deliverable. */
export function contact(language: Language, email: string | undefined, mobile: string | undefined) {
  if (email !== undefined && !/^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[A-Za-z]{2,}$/.test(email)) {
    refuse(language, 400, 'invalid', {
      en: `'email' is not an e-mail address: ${email}`,
      nl: `'email' is geen e-mailadres: ${email}`,
    });
  }
  const number = mobile?.replace(/[\s-]/g, '');
  if (number !== undefined && !/^(\+31|0031|0)6[0-9]{8}$/.test(number)) {
    refuse(language, 400, 'invalid', {
      en: `'mobile' is not a Dutch mobile number (06 12345678, +31 6 12345678): ${mobile}`,
      nl: `'mobile' is geen Nederlands mobiel nummer (06 12345678, +31 6 12345678): ${mobile}`,
    });
  }
  return { ...(email ? { email } : {}), ...(number ? { mobile: number } : {}) };
}

/** `letter`: one parameter with a part per section (`reason` required, the others optional). */
export function letterSections(language: Language, body: unknown): LetterSection[] {
  const letters = params(body).filter((x) => x.name === 'letter');
  const parts = letters.flatMap((l) => l.part ?? []);
  const known = new Set<string>(LETTER_SECTIONS.map((s) => s.part));
  const unknown = parts.filter((x) => !known.has(x.name ?? ''));
  if (unknown.length) {
    refuse(language, 400, 'invalid', {
      en: `The letter's parts are ${[...known].join(', ')}; not ${unknown.map((x) => x.name).join(', ')}`,
      nl: `De delen van de brief zijn ${[...known].join(', ')}; niet ${unknown.map((x) => x.name).join(', ')}`,
    });
  }
  const text = (x: Parameter) => {
    const v = x.valueString ?? x.valueMarkdown;
    return typeof v === 'string' && v.trim() ? v.trim() : undefined;
  };
  const sections = LETTER_SECTIONS.flatMap((s) => {
    const found = parts
      .filter((x) => x.name === s.part)
      .map(text)
      .filter(Boolean);
    return found.length ? [{ ...s, text: found.join('\n\n') }] : [];
  });
  if (!sections.some((s) => s.part === 'reason')) {
    refuse(language, 400, 'required', {
      en: "The letter needs its reason for referral: parameter 'letter' with a part 'reason' (valueString)",
      nl: "De brief vraagt de reden van verwijzing: parameter 'letter' met een deel 'reason' (valueString)",
    });
  }
  return sections;
}

/**
 * `attachment` (0..*, valueAttachment with the file inline): a type on the allow-list and at
 * most `maxBytes` (413 otherwise), judged before anything is read or written.
 */
export function attachments(language: Language, body: unknown, maxBytes: number): AttachmentInput[] {
  return params(body)
    .filter((x) => x.name === 'attachment')
    .map((x, i) => {
      const a = x.valueAttachment as Json | undefined;
      const contentType = ((a?.contentType as string | undefined) ?? '').split(';')[0]!.trim().toLowerCase();
      const title = (a?.title as string | undefined) ?? `Bijlage ${i + 1}`;
      if (!a || typeof a.data !== 'string' || !a.data) {
        refuse(language, 400, 'required', {
          en: `Attachment '${title}' holds no file: valueAttachment with contentType and data (base64)`,
          nl: `Bijlage '${title}' bevat geen bestand: valueAttachment met contentType en data (base64)`,
        });
      }
      if (!ATTACHMENT_TYPES[contentType]) {
        refuse(language, 415, 'not-supported', {
          en: `Attachment '${title}': ${contentType || 'no contentType'} is not a file type referrals take (${Object.values(ATTACHMENT_TYPES).join(', ')})`,
          nl: `Bijlage '${title}': ${contentType || 'geen contentType'} is geen bestandstype voor verwijzingen (${Object.values(ATTACHMENT_TYPES).join(', ')})`,
        });
      }
      const data = a.data as string;
      const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
      const size = Math.floor((data.replace(/\s/g, '').length * 3) / 4) - padding;
      if (size > maxBytes) {
        const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
        refuse(language, 413, 'too-costly', {
          en: `Attachment '${title}' is ${mb(size)}; a referral's attachment may be at most ${mb(maxBytes)} (REFERRAL_ATTACHMENT_MAX_BYTES)`,
          nl: `Bijlage '${title}' is ${mb(size)}; een bijlage bij een verwijzing is ten hoogste ${mb(maxBytes)} (REFERRAL_ATTACHMENT_MAX_BYTES)`,
        });
      }
      return { contentType, data, title, size };
    });
}

/** The first bytes each type starts with; types without a fixed signature (text) are not sniffed. */
const SIGNATURES: Record<string, Buffer[]> = {
  'application/pdf': [Buffer.from('%PDF-')],
  'image/jpeg': [Buffer.from([0xff, 0xd8, 0xff])],
  'image/png': [Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
  'image/tiff': [Buffer.from('II*\0', 'latin1'), Buffer.from('MM\0*', 'latin1')],
  'image/gif': [Buffer.from('GIF8')],
  'application/msword': [Buffer.from([0xd0, 0xcf, 0x11, 0xe0])],
  'application/vnd.ms-excel': [Buffer.from([0xd0, 0xcf, 0x11, 0xe0])],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': [
    Buffer.from('PK\x03\x04', 'latin1'),
  ],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': [Buffer.from('PK\x03\x04', 'latin1')],
  'application/vnd.oasis.opendocument.text': [Buffer.from('PK\x03\x04', 'latin1')],
  'application/vnd.oasis.opendocument.spreadsheet': [Buffer.from('PK\x03\x04', 'latin1')],
  'application/rtf': [Buffer.from('{\\rtf')],
  'text/rtf': [Buffer.from('{\\rtf')],
};

/**
 * The file itself, when it is stored: valid base64, and the content of the type it claims (a
 * "PDF" that is not one would reach the receiver's HIS as a broken document). 400 otherwise.
 */
export function checkFile(language: Language, a: AttachmentInput): void {
  const data = a.data.replace(/\s/g, '');
  const valid = data.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(data);
  const head = valid ? Buffer.from(data.slice(0, 64), 'base64') : undefined;
  const signatures = SIGNATURES[a.contentType];
  if (
    !head ||
    !head.length ||
    (signatures && !signatures.some((s) => head.subarray(0, s.length).equals(s)))
  ) {
    refuse(language, 400, 'invalid', {
      en: `Attachment '${a.title}' is not ${valid ? `a ${ATTACHMENT_TYPES[a.contentType]} file (its content does not match ${a.contentType})` : 'valid base64'}; nothing was sent`,
      nl: `Bijlage '${a.title}' is ${valid ? `geen ${ATTACHMENT_TYPES[a.contentType]}-bestand (de inhoud past niet bij ${a.contentType})` : 'geen geldige base64'}; er is niets verstuurd`,
    });
  }
}
