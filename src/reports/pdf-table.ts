/** A table in a PDF: a header repeated on every page, rows that wrap inside their columns, an optional highlight. */

export interface PdfColumn<Row> {
  /** The report column this shows (DESIGN's name, used as the header). */
  name: string;
  width: number;
  cell: (row: Row) => string;
}

export interface PdfTableOptions<Row> {
  margin: number;
  fontSize: number;
  cellPadding?: number;
  /** Rows drawn on a tinted background (e.g. a breach). */
  highlight?: (row: Row) => boolean;
  /** Said in place of rows when there are none. */
  empty: string;
  /** Turns a cell's text into what the fonts can show. */
  text: (value: string) => string;
}

export function pdfTable<Row>(doc: PDFKit.PDFDocument, columns: readonly PdfColumn<Row>[], rows: readonly Row[], o: PdfTableOptions<Row>): void {
  const padding = o.cellPadding ?? 2;
  const width = columns.reduce((sum, c) => sum + c.width, 0);
  const bottom = () => doc.page.height - doc.page.margins.bottom;
  const drawCells = (cells: readonly string[], y: number) => {
    let x = o.margin;
    columns.forEach((column, i) => {
      doc.text(cells[i] ?? '', x + padding, y + padding, { width: column.width - 2 * padding, lineGap: 0 });
      x += column.width;
    });
  };
  const rowHeight = (cells: readonly string[]) =>
    Math.max(...columns.map((c, i) => doc.heightOfString(cells[i] || ' ', { width: c.width - 2 * padding, lineGap: 0 }))) + 2 * padding;
  const header = (y: number): number => {
    doc.font('Helvetica-Bold').fontSize(o.fontSize);
    const cells = columns.map((c) => camelLines(doc, c.name, c.width - 2 * padding));
    const height = rowHeight(cells);
    doc.rect(o.margin, y, width, height).fill('#e6e6e6').fillColor('black');
    drawCells(cells, y);
    doc.font('Helvetica');
    return y + height;
  };

  let y = header(doc.y);
  if (rows.length === 0) {
    doc.font('Helvetica-Oblique').fontSize(9).text(o.empty, o.margin, y + 4);
    return;
  }
  doc.font('Helvetica').fontSize(o.fontSize);
  for (const row of rows) {
    const cells = columns.map((c) => o.text(c.cell(row)));
    const height = rowHeight(cells);
    if (y + height > bottom()) {
      doc.addPage();
      y = header(o.margin);
      doc.font('Helvetica').fontSize(o.fontSize);
    }
    if (o.highlight?.(row)) doc.rect(o.margin, y, width, height).fill('#fde8e8').fillColor('black');
    drawCells(cells, y);
    y += height;
    doc.moveTo(o.margin, y).lineTo(o.margin + width, y).lineWidth(0.3).strokeColor('#bbbbbb').stroke();
  }
}

/** Breaks a camelCase column name between its words so it wraps inside a narrow column. */
function camelLines(doc: PDFKit.PDFDocument, name: string, width: number): string {
  const words = name.split(/(?=[A-Z])/);
  const lines: string[] = [];
  for (const word of words) {
    const last = lines.at(-1);
    if (last !== undefined && doc.widthOfString(last + word) <= width) lines[lines.length - 1] = last + word;
    else lines.push(word);
  }
  return lines.join('\n');
}

/** 2024-05-01T10:00:05.000Z as two lines (date, time) so it fits a narrow column. */
export function twoLineTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  const [date, clock] = iso.split('T');
  return clock === undefined ? iso : `${date}\n${clock}`;
}
