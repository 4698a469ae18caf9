// A small PDF 1.4 writer for text tables with Chinese text. No font is embedded: the standard
// CJK font STSong-Light with the UniGB-UCS2-H encoding is one every PDF reader supplies for
// simplified Chinese (ISO 32000-1 §9.7.5.2). A ToUnicode map lets text be searched and copied.
import { deflateSync } from 'node:zlib';

export interface PdfColumn {
  header: string;
  /** Points. */
  width: number;
}

export interface PdfTable {
  title: string;
  /** Lines printed under the title on the first page. */
  preamble?: string[];
  columns: PdfColumn[];
  rows: string[][];
  /** Printed at the foot of every page, before the page number. */
  footer?: string;
}

const PAGE_W = 842; // A4 landscape
const PAGE_H = 595;
const MARGIN = 30;
const PAD = 2;
/** What a character the font cannot show becomes: 〓, the customary Chinese placeholder. */
const MISSING = 0x3013;

/** Width of text in em: ASCII glyphs of STSong-Light are half width, everything else full. */
export function textWidthEm(s: string): number {
  let w = 0;
  for (const ch of s) w += ch.charCodeAt(0) < 0x7f ? 0.5 : 1;
  return w;
}

/** Breaks text into lines no wider than `maxEm`, at spaces where possible. */
export function wrapText(s: string, maxEm: number): string[] {
  const out: string[] = [];
  for (const para of s.split('\n')) {
    let line = '';
    let w = 0;
    for (const ch of para) {
      const cw = ch.charCodeAt(0) < 0x7f ? 0.5 : 1;
      if (w + cw > maxEm && line !== '') {
        const space = line.lastIndexOf(' ');
        if (space > 0 && space > line.length / 2) {
          out.push(line.slice(0, space));
          line = line.slice(space + 1);
        } else {
          out.push(line);
          line = '';
        }
        w = textWidthEm(line);
      }
      line += ch;
      w += cw;
    }
    out.push(line);
  }
  return out;
}

/** UCS-2 big-endian hex for a PDF string in the UniGB-UCS2-H encoding. */
function ucs2Hex(s: string): string {
  let hex = '';
  for (const ch of s) {
    let c = ch.codePointAt(0)!;
    if (c > 0xffff) c = MISSING;
    else if (c < 0x20 || (c >= 0x7f && c < 0xa0)) c = 0x20;
    hex += c.toString(16).padStart(4, '0');
  }
  return `<${hex}>`;
}

/** A PDF text string for the document information (UTF-16BE with BOM). */
function infoString(s: string): string {
  return `<FEFF${Buffer.from(s, 'utf16le').swap16().toString('hex').toUpperCase()}>`;
}

function toUnicodeCMap(): string {
  const ranges: string[] = [];
  for (let hi = 0; hi < 256; hi++) {
    if (hi >= 0xd8 && hi <= 0xdf) continue; // surrogates never appear: see ucs2Hex
    const h = hi.toString(16).padStart(2, '0').toUpperCase();
    ranges.push(`<${h}00> <${h}FF> <${h}00>`);
  }
  const blocks: string[] = [];
  for (let i = 0; i < ranges.length; i += 100) {
    const part = ranges.slice(i, i + 100);
    blocks.push(`${part.length} beginbfrange\n${part.join('\n')}\nendbfrange`);
  }
  return [
    '/CIDInit /ProcSet findresource begin',
    '12 dict begin',
    'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def',
    '/CMapType 2 def',
    '1 begincodespacerange',
    '<0000> <FFFF>',
    'endcodespacerange',
    ...blocks,
    'endcmap',
    'CMapName currentdict /CMap defineresource pop',
    'end',
    'end',
  ].join('\n');
}

interface Layout {
  /** Per page, per row, per column: the wrapped lines. */
  pages: { rows: string[][][] }[];
}

/** Renders the table to PDF bytes, repeating the header row on each page. */
export function renderTablePdf(t: PdfTable, fontSize = 7): Buffer {
  const leading = fontSize * 1.3;
  const wrapCells = (cells: string[]) => t.columns.map((c, i) => wrapText(cells[i] ?? '', (c.width - 2 * PAD) / fontSize));
  const header = wrapCells(t.columns.map((c) => c.header));
  const height = (cells: string[][]) => Math.max(1, ...cells.map((l) => l.length)) * leading + 2 * PAD;
  const titleBlock = 16 + (t.preamble?.length ?? 0) * leading + 8;
  const bottom = MARGIN + 14;

  // Lay out pages first so the footer can say "page n of N".
  const layout: Layout = { pages: [] };
  let space = 0;
  let page: Layout['pages'][number] | undefined;
  const newPage = () => {
    page = { rows: [] };
    layout.pages.push(page);
    space = PAGE_H - MARGIN - bottom - (layout.pages.length === 1 ? titleBlock : 0) - height(header);
  };
  newPage();
  for (const r of t.rows) {
    let cells = wrapCells(r);
    // A row taller than a whole page is split across pages.
    while (height(cells) > space) {
      const fit = Math.floor((space - 2 * PAD) / leading);
      if (fit >= 1 && page!.rows.length === 0) {
        page!.rows.push(cells.map((l) => l.slice(0, fit)));
        cells = cells.map((l) => l.slice(fit));
      }
      newPage();
    }
    page!.rows.push(cells);
    space -= height(cells);
  }

  const contents = layout.pages.map((p, n) => {
    const ops: string[] = ['0.5 w'];
    let y = PAGE_H - MARGIN;
    const text = (x: number, yy: number, s: string, size = fontSize) => ops.push(`BT /F1 ${size} Tf 1 0 0 1 ${x.toFixed(2)} ${yy.toFixed(2)} Tm ${ucs2Hex(s)} Tj ET`);
    if (n === 0) {
      text(MARGIN, y - 12, t.title, 12);
      y -= 16;
      for (const line of t.preamble ?? []) {
        y -= leading;
        text(MARGIN, y, line);
      }
      y -= 8;
    }
    const drawRow = (cells: string[][], shade: boolean) => {
      const h = height(cells);
      const width = t.columns.reduce((s, c) => s + c.width, 0);
      if (shade) ops.push(`0.9 g ${MARGIN} ${(y - h).toFixed(2)} ${width} ${h.toFixed(2)} re f 0 g`);
      ops.push(`${MARGIN} ${(y - h).toFixed(2)} ${width} ${h.toFixed(2)} re S`);
      let x = MARGIN;
      t.columns.forEach((c, i) => {
        if (i > 0) ops.push(`${x} ${y.toFixed(2)} m ${x} ${(y - h).toFixed(2)} l S`);
        cells[i]!.forEach((line, k) => text(x + PAD, y - PAD - (k + 1) * leading + fontSize * 0.25, line));
        x += c.width;
      });
      y -= h;
    };
    drawRow(header, true);
    for (const r of p.rows) drawRow(r, false);
    text(MARGIN, MARGIN, `${t.footer ? `${t.footer}    ` : ''}${n + 1} / ${layout.pages.length}`);
    return deflateSync(Buffer.from(ops.join('\n'), 'latin1'));
  });

  // Objects: 1 catalog, 2 pages, 3 font, 4 CID font, 5 descriptor, 6 ToUnicode, 7 info, then
  // a page and its content for each page.
  const objects: Buffer[] = [];
  const obj = (body: string | Buffer) => objects.push(typeof body === 'string' ? Buffer.from(body, 'latin1') : body);
  const stream = (dict: string, data: Buffer) =>
    Buffer.concat([Buffer.from(`<< ${dict} /Length ${data.length} >>\nstream\n`, 'latin1'), data, Buffer.from('\nendstream', 'latin1')]);
  const pageIds = layout.pages.map((_, i) => 8 + 2 * i);
  obj('<< /Type /Catalog /Pages 2 0 R >>');
  obj(`<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pageIds.length} >>`);
  obj('<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] /ToUnicode 6 0 R >>');
  obj('<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 5 0 R /DW 1000 /W [1 95 500] >>');
  obj('<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>');
  obj(stream('/Filter /FlateDecode', deflateSync(Buffer.from(toUnicodeCMap(), 'latin1'))));
  obj(`<< /Title ${infoString(t.title)} /Producer (Vigil) >>`);
  contents.forEach((data, i) => {
    obj(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${PAGE_W} ${PAGE_H}] /Resources << /Font << /F1 3 0 R >> >> /Contents ${pageIds[i]! + 1} 0 R >>`);
    obj(stream('/Filter /FlateDecode', data));
  });

  const parts: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = parts[0]!.length;
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    const chunk = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`, 'latin1'), body, Buffer.from('\nendobj\n', 'latin1')]);
    offsets.push(offset);
    parts.push(chunk);
    offset += chunk.length;
  });
  const xref = [`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`, ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`)].join('');
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info 7 0 R >>\nstartxref\n${offset}\n%%EOF\n`, 'latin1'));
  return Buffer.concat(parts);
}
