import { escapeAttr } from './escape.ts';

export type XmlAttribute = readonly [name: string, value: string];

/**
 * Streaming element writer. A start tag is left open until the first child arrives, so elements
 * without children come out self-closed (`<birthDate value="..."/>`).
 */
export class XmlWriter {
  private readonly parts: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  private depth = 0;
  private startTagOpen = false;

  constructor(private readonly pretty: boolean) {}

  start(name: string, attributes: readonly XmlAttribute[] = []): void {
    this.finishStartTag();
    this.newline();
    let tag = `<${name}`;
    for (const [attr, value] of attributes) tag += ` ${attr}="${escapeAttr(value)}"`;
    this.parts.push(tag);
    this.startTagOpen = true;
    this.depth++;
  }

  end(name: string): void {
    this.depth--;
    if (this.startTagOpen) {
      this.parts.push('/>');
      this.startTagOpen = false;
      return;
    }
    this.newline();
    this.parts.push(`</${name}>`);
  }

  /** Already well-formed markup; written verbatim (mixed content must not be re-indented). */
  raw(markup: string): void {
    this.finishStartTag();
    this.newline();
    this.parts.push(markup);
  }

  toString(): string {
    return this.parts.join('') + (this.pretty ? '\n' : '');
  }

  private finishStartTag(): void {
    if (this.startTagOpen) {
      this.parts.push('>');
      this.startTagOpen = false;
    }
  }

  private newline(): void {
    if (this.pretty) this.parts.push('\n' + '  '.repeat(this.depth));
  }
}
