import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inflateSync } from 'node:zlib';

const run = promisify(execFile);

export interface RenderedPage {
  /** The page as poppler's pdftoppm rendered it (PNG). */
  png: Buffer;
  width: number;
  height: number;
  /** Grey levels, one byte a pixel, rows top to bottom. */
  pixels: Uint8Array;
  /** The page's text as poppler's pdftotext reads it. */
  text: string;
}

/** Renders every page of a PDF to PNG at `dpi` with poppler (pdftoppm, pdftotext) and decodes it. */
export async function renderPdfPages(pdf: Buffer, dpi = 60): Promise<RenderedPage[]> {
  const dir = await mkdtemp(join(tmpdir(), 'jml-pdf-'));
  try {
    await writeFile(join(dir, 'doc.pdf'), pdf);
    await run('pdftoppm', ['-png', '-r', String(dpi), join(dir, 'doc.pdf'), join(dir, 'page')]);
    const files = (await readdir(dir)).filter((f) => f.startsWith('page') && f.endsWith('.png')).sort();
    const pages: RenderedPage[] = [];
    for (const [i, file] of files.entries()) {
      const png = await readFile(join(dir, file));
      const { stdout } = await run('pdftotext', ['-layout', '-f', String(i + 1), '-l', String(i + 1), join(dir, 'doc.pdf'), '-']);
      pages.push({ png, ...decodeGreyPng(png), text: stdout });
    }
    return pages;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Share of pixels in the rows [fromRow, toRow) darker than mid-grey: 0 for a blank band. */
export function inkShare(page: RenderedPage, fromRow = 0, toRow = page.height): number {
  let dark = 0;
  for (let y = fromRow; y < toRow; y++) for (let x = 0; x < page.width; x++) if (page.pixels[y * page.width + x]! < 128) dark++;
  return dark / ((toRow - fromRow) * page.width);
}

/** An 8-bit grey or RGB, non-interlaced PNG (what pdftoppm writes) to grey pixels, undoing the PNG spec's row filters. */
export function decodeGreyPng(png: Buffer): { width: number; height: number; pixels: Uint8Array } {
  if (png.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') throw new Error('not a PNG');
  let offset = 8;
  let width = 0;
  let height = 0;
  let channels = 1;
  const idat: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString('latin1', offset + 4, offset + 8);
    const data = png.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || (data[9] !== 0 && data[9] !== 2) || data[12] !== 0) throw new Error('expected an 8-bit grey or RGB non-interlaced PNG');
      channels = data[9] === 2 ? 3 : 1;
    } else if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const rows = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let x = 0; x < stride; x++) {
      const value = raw[y * (stride + 1) + 1 + x]!;
      const a = x >= channels ? rows[y * stride + x - channels]! : 0;
      const b = y > 0 ? rows[(y - 1) * stride + x]! : 0;
      const c = x >= channels && y > 0 ? rows[(y - 1) * stride + x - channels]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter];
      if (predictor === undefined) throw new Error(`unknown PNG filter ${filter}`);
      rows[y * stride + x] = (value + predictor) & 0xff;
    }
  }
  const pixels = new Uint8Array(width * height);
  for (let i = 0; i < width * height; i++) {
    let sum = 0;
    for (let k = 0; k < channels; k++) sum += rows[i * channels + k]!;
    pixels[i] = Math.round(sum / channels);
  }
  return { width, height, pixels };
}
