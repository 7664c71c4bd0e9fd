import PDFDocument from 'pdfkit';

/** One block of the letter: a heading and its lines (a section, the patient, the answers). */
export interface LetterBlock {
  heading: string;
  lines: string[];
}

/** What the PDF shows, in order: a title, who it is to and from, then the blocks. */
export interface LetterContent {
  title: string;
  /** The date line ("Datum: 7 december 2026"). */
  date: string;
  blocks: LetterBlock[];
}

/**
 * The standard PDF fonts (Helvetica) encode WinAnsi only: anything beyond Latin-1 and the usual
 * typographic marks is replaced, so the text stays extractable as written (a HIS indexes it).
 */
const printable = (text: string) => text.normalize('NFC').replace(/[^\n\t\x20-\x7e\xa0-\xff€‘’“”–—…]/g, '?');

/**
 * The referral letter as a PDF (pdfkit, standard fonts, text not outlined: a reader or a HIS
 * can search and copy it). The receiver files this, and ORU^R01 carries it as OBX-5 (ED).
 */
export function letterPdf(content: LetterContent): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 56,
    info: { Title: printable(content.title), Producer: 'Zorgpoort', Creator: 'Zorgpoort' },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.font('Helvetica-Bold').fontSize(16).text(printable(content.title));
  doc.moveDown(0.3).font('Helvetica').fontSize(10).text(printable(content.date));
  for (const block of content.blocks) {
    if (!block.lines.length) continue;
    doc.moveDown(0.8).font('Helvetica-Bold').fontSize(11).text(printable(block.heading));
    doc.font('Helvetica').fontSize(10);
    for (const line of block.lines) doc.text(printable(line));
  }
  doc.end();
  return done;
}
