import iconv from 'iconv-lite';

/** HL7 table 0211 (MSH-18) → the encodings iconv-lite knows. */
const CHARSETS: Record<string, string> = {
  ASCII: 'ascii',
  '8859/1': 'latin1',
  '8859/2': 'iso-8859-2',
  '8859/15': 'iso-8859-15',
  'UNICODE UTF-8': 'utf8',
  'UTF-8': 'utf8',
};

export class UnsupportedCharsetError extends Error {
  constructor(readonly charset: string) {
    super(`MSH-18 character set '${charset}' is not supported (use ASCII, 8859/1, 8859/15 or UNICODE UTF-8)`);
  }
}

/**
 * MSH-18 of a message still in bytes. The MSH segment up to MSH-18 is ASCII in every supported
 * character set, so it is read before the message is decoded; the field separator is MSH-1.
 */
export function declaredCharset(raw: Buffer): string | undefined {
  const end = raw.findIndex((b) => b === 0x0d || b === 0x0a);
  const msh = raw.subarray(0, end < 0 ? raw.length : end).toString('latin1');
  if (!msh.startsWith('MSH') || msh.length < 4) return undefined;
  const fields = msh.split(msh[3]!);
  // fields[0] is "MSH" and MSH-1 is the separator itself, so MSH-n is fields[n - 1].
  const value = fields[17]?.split(msh[4] ?? '^')[0]?.trim();
  return value || undefined;
}

/**
 * The message as text, decoded by its MSH-18. Without MSH-18 the standard says ASCII, but Dutch
 * hospital systems send ISO-8859-1 as often as UTF-8 without saying so: valid UTF-8 is read as
 * UTF-8, anything else as ISO-8859-1 (every byte sequence is valid there, so nothing is lost).
 */
export function decodeMessage(raw: Buffer): { text: string; charset: string } {
  const declared = declaredCharset(raw);
  if (declared) {
    const encoding = CHARSETS[declared.toUpperCase()];
    if (!encoding) throw new UnsupportedCharsetError(declared);
    return { text: iconv.decode(raw, encoding), charset: declared };
  }
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  try {
    return { text: utf8.decode(raw), charset: 'UNICODE UTF-8' };
  } catch {
    return { text: iconv.decode(raw, 'latin1'), charset: '8859/1' };
  }
}

/** Text as the bytes of an MSH-18 character set (for writing, and for ACKs in the sender's set). */
export function encodeMessage(text: string, charset = 'UNICODE UTF-8'): Buffer {
  const encoding = CHARSETS[charset.toUpperCase()];
  if (!encoding) throw new UnsupportedCharsetError(charset);
  return iconv.encode(text, encoding);
}
