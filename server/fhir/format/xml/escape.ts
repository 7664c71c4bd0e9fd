/**
 * Code units outside the XML 1.0 Char production: C0 controls other than tab/LF/CR, U+FFFE/U+FFFF
 * and unpaired surrogates. Such strings are legal in JSON but have no XML representation at all.
 */
const NON_XML_CHAR =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isXmlSafe(value: string): boolean {
  return !NON_XML_CHAR.test(value);
}

const ATTR_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  // Literal tab/LF/CR would be turned into spaces by attribute-value normalisation on parse.
  '\t': '&#x9;',
  '\n': '&#xA;',
  '\r': '&#xD;',
};

export function escapeAttr(value: string): string {
  return value.replace(/[&<>"\t\n\r]/g, (c) => ATTR_ESCAPES[c] ?? c);
}
