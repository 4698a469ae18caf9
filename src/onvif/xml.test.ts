import { describe, expect, it } from 'vitest';
import { OnvifError } from './errors.js';
import { escapeXml, findAll, parseXml, textAt } from './xml.js';

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof OnvifError ? e.code : `untyped: ${String(e)}`;
  }
  return 'no error';
};

describe('parseXml', () => {
  it('resolves namespaces, decodes entities and CDATA, and keeps attributes', () => {
    const doc = parseXml(`<?xml version="1.0"?><!-- c --><a:r xmlns:a="urn:a" xmlns="urn:d" k='v&amp;w'><x>1 &lt; 2 &#x263A;&#65;</x><a:y/><z xmlns="urn:z"><![CDATA[<raw>&amp;]]></z></a:r>`);
    expect(doc).toMatchObject({ name: 'a:r', local: 'r', ns: 'urn:a', attrs: { 'xmlns:a': 'urn:a', xmlns: 'urn:d', k: 'v&w' } });
    expect(doc.children.map((c) => [c.local, c.ns])).toEqual([['x', 'urn:d'], ['y', 'urn:a'], ['z', 'urn:z']]);
    expect(textAt(doc, 'x')).toBe('1 < 2 \u263aA');
    expect(textAt(doc, 'z')).toBe('<raw>&amp;');
    expect(findAll(doc, 'y')).toHaveLength(1);
  });

  it('round-trips escaped text', () => {
    const s = `<&>"' 中文`;
    expect(parseXml(`<a b="${escapeXml(s)}">${escapeXml(s)}</a>`)).toMatchObject({ text: s, attrs: { b: s } });
  });

  it.each([
    ['DOCTYPE (entity expansion)', '<!DOCTYPE a [<!ENTITY x "xx">]><a>&x;</a>', 'ONVIF_XML'],
    ['an undeclared entity', '<a>&nbsp;</a>', 'ONVIF_XML'],
    ['a mismatched end tag', '<a><b></a></b>', 'ONVIF_XML'],
    ['an unclosed element', '<a><b></b>', 'ONVIF_XML'],
    ['two roots', '<a/><b/>', 'ONVIF_XML'],
    ['text outside the root', 'x<a/>', 'ONVIF_XML'],
    ['an unquoted attribute', '<a b=c/>', 'ONVIF_XML'],
    ['a duplicate attribute', '<a b="1" b="2"/>', 'ONVIF_XML'],
    ['an undeclared prefix', '<p:a/>', 'ONVIF_XML'],
    ['a surrogate character reference', '<a>&#xD800;</a>', 'ONVIF_XML'],
    ['nothing', '   ', 'ONVIF_XML'],
    ['deep nesting', '<a>'.repeat(100) + '</a>'.repeat(100), 'ONVIF_LIMIT'],
    ['too many elements', `<a>${'<b/>'.repeat(30_000)}</a>`, 'ONVIF_LIMIT'],
    ['too many attributes', `<a ${Array.from({ length: 100 }, (_, i) => `k${i}="v"`).join(' ')}/>`, 'ONVIF_LIMIT'],
    ['too many bytes', `<a>${'x'.repeat(2 << 20)}</a>`, 'ONVIF_LIMIT'],
  ])('refuses %s', (_name, xml, expected) => {
    expect(code(() => parseXml(xml))).toBe(expected);
  });
});
