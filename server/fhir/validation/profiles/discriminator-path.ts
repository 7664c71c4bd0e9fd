/**
 * The FHIRPath subset that slicing discriminators use: `$this`, dotted element names,
 * `extension('url')` / `extension(url='url')`, `ofType(T)` and a trailing `resolve()`.
 */
export type Step =
  | { kind: 'element'; name: string }
  | { kind: 'extension'; url: string }
  | { kind: 'ofType'; type: string }
  | { kind: 'resolve' };

const TOKEN =
  /^(?:\$this|resolve\(\)|extension\((?:url\s*=\s*)?'([^']*)'\)|ofType\(([A-Za-z]+)\)|([A-Za-z_][A-Za-z0-9_]*))/;

/** The steps of a discriminator path, or undefined when it uses something outside the subset. */
export function parseDiscriminatorPath(path: string): Step[] | undefined {
  const steps: Step[] = [];
  let rest = path.trim();
  while (rest.length > 0) {
    const m = TOKEN.exec(rest);
    if (!m) return undefined;
    const token = m[0];
    if (token === 'resolve()') steps.push({ kind: 'resolve' });
    else if (m[1] !== undefined) steps.push({ kind: 'extension', url: m[1] });
    else if (m[2] !== undefined) steps.push({ kind: 'ofType', type: m[2] });
    else if (m[3] !== undefined) steps.push({ kind: 'element', name: m[3] });
    rest = rest.slice(token.length);
    if (rest.startsWith('.')) rest = rest.slice(1);
    else if (rest.length > 0) return undefined;
  }
  return steps;
}
