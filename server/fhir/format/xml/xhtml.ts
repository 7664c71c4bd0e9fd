import { SaxesParser, type SaxesTagNS } from 'saxes';
import { escapeAttr } from './escape.ts';
import { XHTML_NS, xmlStructureError } from './errors.ts';

/**
 * Narrative `div` content travels as markup: in JSON it is the serialised XHTML string, so the XML
 * reader takes the div's exact source text (no re-serialisation, hence lossless) and the writer
 * embeds the JSON string verbatim once it has been checked to be a self-contained XHTML div.
 */
export class XhtmlCapture {
  private depth = 0;
  private rootName = '';
  private readonly declared: Set<string>[] = [];
  /** Prefixes used inside the div but bound by an ancestor outside it. */
  private readonly inherited = new Map<string, string>();

  constructor(
    readonly start: number,
    private readonly fail: (message: string) => never,
  ) {}

  open(tag: SaxesTagNS): void {
    if (tag.uri !== XHTML_NS) {
      this.fail(`Narrative contains element <${tag.name}> outside the XHTML namespace`);
    }
    if (this.depth === 0) {
      if (tag.local !== 'div') this.fail(`Narrative must be an XHTML <div>, found <${tag.name}>`);
      this.rootName = tag.name;
    }
    this.declared.push(new Set(Object.keys(tag.ns)));
    this.use(tag.prefix, tag.uri);
    for (const attr of Object.values(tag.attributes)) {
      if (attr.prefix !== '' && attr.prefix !== 'xmlns' && attr.prefix !== 'xml')
        this.use(attr.prefix, attr.uri);
    }
    this.depth++;
  }

  /** Returns true when this closes the div itself. */
  close(): boolean {
    this.declared.pop();
    return --this.depth === 0;
  }

  /**
   * The div's source text, with declarations added for namespaces it inherited from outside.
   * Line ends are normalised as XML 1.0 §2.11 requires of every processor (CRLF and a lone CR
   * become LF), because the text is taken from the source before the parser's own normalisation;
   * a CR written as a character reference (`&#13;`) stays, as it is markup.
   */
  markup(source: string, end: number): string {
    const raw = source.slice(this.start, end).replace(/\r\n?/g, '\n');
    if (this.inherited.size === 0) return raw;
    const declarations = [...this.inherited]
      .map(([prefix, uri]) => ` ${prefix === '' ? 'xmlns' : `xmlns:${prefix}`}="${escapeAttr(uri)}"`)
      .join('');
    const afterName = 1 + this.rootName.length;
    return raw.slice(0, afterName) + declarations + raw.slice(afterName);
  }

  private use(prefix: string, uri: string): void {
    if (!this.declared.some((scope) => scope.has(prefix))) this.inherited.set(prefix, uri);
  }
}

/**
 * Checks that a JSON narrative string is one well-formed XHTML div that can be embedded as-is
 * (declares its own namespace, no DOCTYPE/XML declaration, nothing around the element).
 * Surrounding whitespace is dropped.
 */
export function checkXhtmlDiv(div: string, path: string): string {
  const markup = div.trim();
  const parser = new SaxesParser({ xmlns: true, position: true });
  const fail = (message: string): never => {
    throw xmlStructureError(`Invalid narrative XHTML at ${path}: ${message}`);
  };
  let capture: XhtmlCapture | undefined;
  let end = -1;
  parser.on('error', (err) => fail(err.message));
  parser.on('doctype', () => fail('DOCTYPE is not allowed'));
  parser.on('xmldecl', () => fail('an XML declaration is not allowed'));
  parser.on('opentag', (tag) => {
    capture ??= new XhtmlCapture(markup.lastIndexOf('<', parser.position - 1), fail);
    capture.open(tag);
  });
  parser.on('closetag', () => {
    if (capture?.close()) end = parser.position;
  });
  parser.write(markup).close();
  if (capture?.start !== 0 || end !== markup.length) fail('expected a single <div> element and nothing else');
  return markup;
}
