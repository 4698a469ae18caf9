import { describe, expect, it } from 'vitest';
import { parseCsv, toCsvLine } from './csv.js';

describe('parseCsv', () => {
  it('reads quoted fields, doubled quotes, CRLF and a BOM, with the line each record starts on', () => {
    const text = '\ufeffa,b\r\n"x, y","say ""hi"""\r\n"multi\nline",2\n\n3,4';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['a', 'b'] },
      { line: 2, fields: ['x, y', 'say "hi"'] },
      { line: 3, fields: ['multi\nline', '2'] },
      { line: 6, fields: ['3', '4'] },
    ]);
  });

  it('names the line of a broken record', () => {
    expect(() => parseCsv('a,b\n"open,1\n')).toThrow(/line 2: a quoted field is not closed/);
    expect(() => parseCsv('a\nx"y\n')).toThrow(/line 2: a quote inside an unquoted field/);
  });

  it('round-trips what it writes', () => {
    const values = ['plain', 'with, comma', 'with "quote"', 'line\nbreak', ' padded ', '东门'];
    expect(parseCsv(toCsvLine(values))[0]!.fields).toEqual(values);
  });
});
