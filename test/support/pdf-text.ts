import { inflateSync } from 'node:zlib';

/**
 * The text a PDF shows, as a reader extracts it from the standard fonts' strings (`Tj`, `TJ`,
 * hex or literal, in Flate-compressed or plain content streams): enough to check a letter says
 * what it should, independent of the library that wrote it.
 */
export function pdfText(pdf: Buffer): string {
  const latin = pdf.toString('latin1');
  const streams: string[] = [];
  const re = /stream\r?\n/g;
  for (let m = re.exec(latin); m; m = re.exec(latin)) {
    const start = m.index + m[0].length;
    const end = latin.indexOf('endstream', start);
    if (end < 0) break;
    const raw = pdf.subarray(start, end);
    try {
      streams.push(inflateSync(raw).toString('latin1'));
    } catch {
      streams.push(raw.toString('latin1'));
    }
    re.lastIndex = end;
  }
  const decode = (s: string) =>
    s.startsWith('<')
      ? Buffer.from(s.slice(1, -1).replace(/\s/g, ''), 'hex').toString('latin1')
      : s.slice(1, -1).replace(/\\([()\\])/g, '$1');
  const lines: string[] = [];
  for (const content of streams) {
    const ops =
      /\[((?:<[0-9A-Fa-f\s]*>|\((?:\\.|[^\\)])*\)|[-\d.\s])*)\]\s*TJ|(<[0-9A-Fa-f\s]*>|\((?:\\.|[^\\)])*\))\s*Tj/g;
    for (let m = ops.exec(content); m; m = ops.exec(content)) {
      const strings =
        m[1] !== undefined ? (m[1].match(/<[0-9A-Fa-f\s]*>|\((?:\\.|[^\\)])*\)/g) ?? []) : [m[2]!];
      lines.push(strings.map(decode).join(''));
    }
  }
  return lines.join('\n');
}
