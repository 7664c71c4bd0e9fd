import { SaxesParser, type SaxesTagNS } from 'saxes';
import { elementInfo, isResourceType, primitiveJsonKind, type ElementInfo } from '../../model/type-info.ts';
import { setDecimalText } from '../json.ts';
import { FHIR_NS, XMLNS_NS, XSI_NS, xmlStructureError } from './errors.ts';
import { XhtmlCapture } from './xhtml.ts';

export interface ParseFhirXmlOptions {
  /** Maximum element nesting depth, XHTML narrative included. Default 100. */
  maxDepth?: number;
}

type JsonObject = Record<string, unknown>;

interface Frame {
  readonly kind: 'resource' | 'complex' | 'primitive' | 'container';
  /** Element name in the parent (the resource type for resource frames). */
  readonly name: string;
  /** FHIRPath-style location, for error messages. */
  readonly path: string;
  /** Type whose elements may appear as children; primitives only allow Element's (extension). */
  readonly type: string;
  /** How this element attaches to its parent; absent for resource frames. */
  readonly info?: ElementInfo;
  /** Resource/complex content, or a primitive's `_x` content (id, extension). */
  readonly obj: JsonObject;
  value?: unknown;
  /** A number's `value` attribute when a double would print it otherwise (`5.0`): see ../json.ts. */
  text?: string;
  /** Container frames: the single wrapped resource. */
  wrapped?: JsonObject;
  /** Names of repeating primitives whose parallel `x`/`_x` arrays need tidying on close. */
  primitiveArrays?: Set<string>;
}

const NO_ATTRIBUTES: ReadonlySet<string> = new Set();
const ID_ATTRIBUTE: ReadonlySet<string> = new Set(['id']);
const EXTENSION_ATTRIBUTES: ReadonlySet<string> = new Set(['id', 'url']);
const PRIMITIVE_ATTRIBUTES: ReadonlySet<string> = new Set(['id', 'value']);

const INTEGER = /^-?(0|[1-9][0-9]*)$/;
const DECIMAL = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;

/** FHIR XML -> FHIR JSON. Throws a 400 FhirError (code `structure`) for anything malformed. */
export function parseFhirXml(xml: string, options: ParseFhirXmlOptions = {}): JsonObject {
  if (typeof xml !== 'string') throw xmlStructureError('XML body must be a string');
  const source = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
  const maxDepth = options.maxDepth ?? 100;
  if (!Number.isInteger(maxDepth) || maxDepth < 1) throw new RangeError(`Invalid maxDepth ${maxDepth}`);
  return new FhirXmlReader(source, maxDepth).read();
}

class FhirXmlReader {
  private readonly parser = new SaxesParser({ xmlns: true, position: true });
  private readonly stack: Frame[] = [];
  private depth = 0;
  private div: XhtmlCapture | undefined;
  private result: JsonObject | undefined;

  constructor(
    private readonly xml: string,
    private readonly maxDepth: number,
  ) {
    const p = this.parser;
    p.on('error', (err) => {
      throw xmlStructureError(`Malformed XML: ${err.message.replace(/^\d+:\d+: /, '')}${this.where()}`);
    });
    // Rejecting every DOCTYPE means no DTD is loaded and no custom entity is ever expanded.
    p.on('doctype', () => this.fail('DOCTYPE declarations are not allowed'));
    p.on('opentag', (tag) => this.onOpen(tag));
    p.on('closetag', () => this.onClose());
    p.on('text', (text) => this.onText(text));
    p.on('cdata', (text) => this.onText(text));
  }

  read(): JsonObject {
    this.parser.write(this.xml).close();
    return this.result ?? this.fail('Document has no root element');
  }

  private where(): string {
    return ` (line ${this.parser.line}, column ${this.parser.column})`;
  }

  private fail(message: string): never {
    throw xmlStructureError(message + this.where());
  }

  private onOpen(tag: SaxesTagNS): void {
    if (++this.depth > this.maxDepth) {
      this.fail(`Element nesting exceeds the maximum depth of ${this.maxDepth}`);
    }
    if (this.div) return this.div.open(tag);
    const parent = this.stack.at(-1);
    if (!parent) return void this.stack.push(this.openResource(tag, ''));
    if (parent.kind === 'container') {
      if (parent.wrapped) this.fail(`${parent.path} may contain only one resource`);
      return void this.stack.push(this.openResource(tag, parent.path));
    }
    this.stack.push(this.openElement(parent, tag));
  }

  private openResource(tag: SaxesTagNS, containerPath: string): Frame {
    if (tag.uri !== FHIR_NS) this.fail(`Element <${tag.name}> is not in the FHIR namespace ${FHIR_NS}`);
    if (!isResourceType(tag.local)) {
      this.fail(`Unknown resource type '${tag.local}'${containerPath ? ` at ${containerPath}` : ''}`);
    }
    const path = containerPath || tag.local;
    this.readAttributes(tag, NO_ATTRIBUTES, path);
    return { kind: 'resource', name: tag.local, path, type: tag.local, obj: { resourceType: tag.local } };
  }

  private openElement(parent: Frame, tag: SaxesTagNS): Frame {
    const name = tag.local;
    const info = this.childInfo(parent, name);
    const path = `${parent.path}.${name}${info?.array ? `[${this.occurrences(parent, name)}]` : ''}`;
    if (info && !info.array && (parent.obj[name] !== undefined || parent.obj[`_${name}`] !== undefined)) {
      this.fail(`Element '${name}' may occur only once in ${parent.path}`);
    }
    if (info?.type === 'xhtml') {
      this.div = new XhtmlCapture(this.xml.lastIndexOf('<', this.parser.position - 1), (m) => this.fail(m));
      this.div.open(tag);
      // Stays on the stack so that onClose can attach the markup to `parent`.
      return { kind: 'primitive', name, path, type: 'xhtml', info, obj: {} };
    }
    if (tag.uri !== FHIR_NS) this.fail(`Element <${tag.name}> at ${path} is not in the FHIR namespace`);
    if (!info) this.fail(`Unknown element '${name}' in ${parent.path}`);

    if (info.type === 'Resource') {
      this.readAttributes(tag, NO_ATTRIBUTES, path);
      return { kind: 'container', name, path, type: 'Resource', info, obj: {} };
    }
    if (info.primitive) {
      const attrs = this.readAttributes(tag, PRIMITIVE_ATTRIBUTES, path);
      const frame: Frame = { kind: 'primitive', name, path, type: 'Element', info, obj: {} };
      if (attrs.id !== undefined) frame.obj.id = attrs.id;
      if (attrs.value !== undefined) {
        frame.value = this.primitiveValue(attrs.value, info.type, path);
        if (typeof frame.value === 'number' && String(frame.value) !== attrs.value) frame.text = attrs.value;
      }
      return frame;
    }
    const attrs = this.readAttributes(
      tag,
      info.type === 'Extension' ? EXTENSION_ATTRIBUTES : ID_ATTRIBUTE,
      path,
    );
    return { kind: 'complex', name, path, type: info.type, info, obj: { ...attrs } };
  }

  /** Element metadata, or undefined where XML has no such child element (it may be an attribute). */
  private childInfo(parent: Frame, name: string): ElementInfo | undefined {
    if (parent.kind !== 'resource' && name === 'id') return undefined;
    if (parent.type === 'Extension' && name === 'url') return undefined;
    return elementInfo(parent.type, name);
  }

  private occurrences(parent: Frame, name: string): number {
    const values = parent.obj[name] ?? parent.obj[`_${name}`];
    return Array.isArray(values) ? values.length : 0;
  }

  private readAttributes(
    tag: SaxesTagNS,
    allowed: ReadonlySet<string>,
    path: string,
  ): Record<string, string> {
    const result: Record<string, string> = {};
    for (const attr of Object.values(tag.attributes)) {
      // Namespace declarations and xsi:schemaLocation-style hints carry no FHIR content.
      if (attr.uri === XMLNS_NS || attr.uri === XSI_NS) continue;
      if (attr.prefix !== '' || !allowed.has(attr.local)) {
        this.fail(`Unknown attribute '${attr.name}' on ${path}`);
      }
      result[attr.local] = attr.value;
    }
    return result;
  }

  private primitiveValue(raw: string, type: string, path: string): unknown {
    switch (primitiveJsonKind(type)) {
      case 'boolean':
        if (raw === 'true' || raw === 'false') return raw === 'true';
        return this.fail(`Invalid boolean '${raw}' at ${path}`);
      case 'number': {
        // A double holds neither trailing zeros (1.50 -> 1.5) nor more than ~17 significant digits.
        const value = Number(raw);
        if (!(type === 'decimal' ? DECIMAL : INTEGER).test(raw) || !Number.isFinite(value)) {
          this.fail(`Invalid ${type} '${raw}' at ${path}`);
        }
        return value;
      }
      default:
        return raw;
    }
  }

  private onText(text: string): void {
    if (this.div) return;
    const frame = this.stack.at(-1);
    if (frame && /\S/.test(text)) this.fail(`Unexpected text content in ${frame.path}`);
  }

  private onClose(): void {
    this.depth--;
    if (this.div) {
      if (!this.div.close()) return;
      const markup = this.div.markup(this.xml, this.parser.position);
      this.div = undefined;
      const frame = this.stack.pop() as Frame;
      (this.stack.at(-1) as Frame).obj[frame.name] = markup;
      return;
    }
    const frame = this.stack.pop() as Frame;
    this.tidyPrimitiveArrays(frame);
    const parent = this.stack.at(-1);
    if (!parent) {
      this.result = frame.obj;
    } else if (parent.kind === 'container') {
      parent.wrapped = frame.obj;
    } else if (frame.kind === 'container') {
      if (!frame.wrapped) this.fail(`${frame.path} must contain a resource`);
      attach(parent, frame, frame.wrapped);
    } else if (frame.kind === 'primitive') {
      this.attachPrimitive(parent, frame);
    } else {
      attach(parent, frame, frame.obj);
    }
  }

  private attachPrimitive(parent: Frame, frame: Frame): void {
    const info = frame.info as ElementInfo;
    const value = frame.value ?? null;
    const element = Object.keys(frame.obj).length > 0 ? frame.obj : null;
    if (value === null && element === null) this.fail(`${frame.path} has neither a value nor extensions`);
    if (info.array) {
      // `x` and `_x` are parallel arrays; tidyPrimitiveArrays drops whichever ends up all-null.
      const values = (parent.obj[frame.name] ??= []) as unknown[];
      if (frame.text !== undefined) setDecimalText(values, values.length, frame.text);
      values.push(value);
      ((parent.obj[`_${frame.name}`] ??= []) as unknown[]).push(element);
      (parent.primitiveArrays ??= new Set()).add(frame.name);
      return;
    }
    if (value !== null) parent.obj[frame.name] = value;
    if (frame.text !== undefined) setDecimalText(parent.obj, frame.name, frame.text);
    if (element !== null) parent.obj[`_${frame.name}`] = element;
  }

  private tidyPrimitiveArrays(frame: Frame): void {
    for (const name of frame.primitiveArrays ?? []) {
      for (const key of [name, `_${name}`]) {
        if ((frame.obj[key] as unknown[]).every((v) => v === null)) delete frame.obj[key];
      }
    }
  }
}

function attach(parent: Frame, frame: Frame, value: JsonObject): void {
  if (frame.info?.array) ((parent.obj[frame.name] ??= []) as unknown[]).push(value);
  else parent.obj[frame.name] = value;
}
