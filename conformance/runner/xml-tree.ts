import { SaxesParser } from 'saxes';

/**
 * A lenient reader for TestScript XML. Nictiz publishes its scripts in the R5 layout
 * (`<profile id=".." value="url"/>`, `<f:variable>`), which the server's strict R4 parser
 * refuses, so scripts are read into a loose tree instead: every element becomes a list, an
 * element with only a `value` attribute becomes that string, and `id`/`url`/`value`
 * attributes of other elements become fields. Elements outside the FHIR namespace are dropped.
 */
export type Loose = string | { [key: string]: Loose[] | string };

const FHIR_NS = 'http://hl7.org/fhir';

interface Frame {
  name: string;
  attrs: Record<string, string>;
  children: [string, Loose][];
  skip: boolean;
}

function collapse(frame: Frame): Loose {
  const attrNames = Object.keys(frame.attrs);
  if (frame.children.length === 0 && attrNames.length === 1 && attrNames[0] === 'value') {
    return frame.attrs.value!;
  }
  const out: { [key: string]: Loose[] | string } = {};
  for (const [k, v] of Object.entries(frame.attrs)) out[k] = v;
  for (const [name, child] of frame.children) {
    const list = (out[name] as Loose[] | undefined) ?? [];
    list.push(child);
    out[name] = list;
  }
  return out;
}

export function readLooseXml(xml: string): { root: string; tree: Loose } {
  const parser = new SaxesParser({ xmlns: true });
  const stack: Frame[] = [];
  let result: { root: string; tree: Loose } | undefined;
  parser.on('opentag', (tag) => {
    const parent = stack[stack.length - 1];
    const skip = (parent?.skip ?? false) || tag.uri !== FHIR_NS;
    const attrs: Record<string, string> = {};
    for (const a of Object.values(tag.attributes)) {
      if (a.uri === '' && ['id', 'url', 'value'].includes(a.local)) attrs[a.local] = a.value;
    }
    stack.push({ name: tag.local, attrs, children: [], skip });
  });
  parser.on('closetag', () => {
    const frame = stack.pop()!;
    if (frame.skip) return;
    const value = collapse(frame);
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push([frame.name, value]);
    else result = { root: frame.name, tree: value };
  });
  parser.write(xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml).close();
  if (!result) throw new Error('empty XML document');
  return result;
}
