import PDFDocument from 'pdfkit';

/** What the engine's PDFs share: an A4 document collected into a Buffer, page numbers, safe text. */

export interface PdfOptions {
  layout: 'portrait' | 'landscape';
  margin: number;
  title: string;
  subject: string;
  generatedAt: Date;
}

/** A buffered A4 document (pages can be revisited to number them) and the bytes once it ends. */
export function startPdf(o: PdfOptions): { doc: PDFKit.PDFDocument; done: Promise<Buffer> } {
  const doc = new PDFDocument({
    size: 'A4',
    layout: o.layout,
    margins: { top: o.margin, bottom: o.margin + 14, left: o.margin, right: o.margin },
    bufferPages: true,
    info: { Title: o.title, Subject: o.subject, Creator: 'JML Engine', CreationDate: o.generatedAt },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  return { doc, done };
}

/** "Page i of n" at the foot of every page, right-aligned inside the margins. */
export function pageNumbers(doc: PDFKit.PDFDocument, margin: number): void {
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Text below the bottom margin would otherwise start a new page.
    const bottomMargin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font('Helvetica')
      .fontSize(7)
      .fillColor('#444444')
      .text(`Page ${i + 1} of ${range.count}`, margin, doc.page.height - margin, {
        width: doc.page.width - 2 * margin,
        align: 'right',
        lineBreak: false,
      })
      .fillColor('black');
    doc.page.margins.bottom = bottomMargin;
  }
}

/** Keeps what the standard fonts can show (WinAnsi: Latin-1 and a few more); anything else becomes "?". */
export function pdfText(text: string): string {
  return text.replace(
    /[^\n\x20-\x7e\xa0-\xff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]/g,
    '?',
  );
}
