/**
 * Splits a search value on `sep` where it is not escaped. Escapes are kept as written so that a
 * part can be split again on another separator before `unescapeValue` runs.
 */
export function splitUnescaped(value: string, sep: ',' | '|' | '$'): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '\\' && i + 1 < value.length) {
      current += ch + value[i + 1]!;
      i++;
    } else if (ch === sep) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

/** `\,` `\|` `\$` `\\` become the character; any other backslash is an ordinary character. */
export function unescapeValue(s: string): string {
  return s.replace(/\\([,|$\\])/g, '$1');
}
