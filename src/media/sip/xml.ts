// A small XML reader and writer for MANSCDP bodies (GB/T 28181 §A). Written here rather than
// taken from npm: MANSCDP is elements, attributes and text only, and the reader must be bounded
// against hostile devices (depth, element count, no DTD so no entity expansion or external
// entities) and fail with a typed error, which the general libraries do not promise.
import { SipError } from './errors.js';

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export interface XmlLimits {
  maxDepth: number;
  maxElements: number;
}

const DEFAULT_XML_LIMITS: XmlLimits = { maxDepth: 32, maxElements: 200_000 };

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function unescape(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|[a-z]{2,4});/g, (all, ref: string) => {
    if (ref.startsWith('#x')) return safeCodePoint(Number.parseInt(ref.slice(2), 16)) ?? all;
    if (ref.startsWith('#')) return safeCodePoint(Number(ref.slice(1))) ?? all;
    return NAMED[ref] ?? all;
  });
}

function safeCodePoint(n: number): string | undefined {
  return n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : undefined;
}

function fail(message: string): never {
  throw new SipError('SIP_BODY', `XML: ${message}`);
}

const NAME = /[A-Za-z_:][A-Za-z0-9_:.-]*/y;
const ATTR = /\s*([A-Za-z_:][A-Za-z0-9_:.-]*)\s*=\s*("([^"]*)"|'([^']*)')/y;

/** Parses a document into its root element; throws SipError('SIP_BODY') on anything else. */
export function parseXml(text: string, limits: Partial<XmlLimits> = {}): XmlElement {
  const lim = { ...DEFAULT_XML_LIMITS, ...limits };
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  let count = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const lt = text.indexOf('<', i);
    const chunk = text.slice(i, lt < 0 ? n : lt);
    if (chunk.trim()) {
      if (!stack.length) fail('text outside the root element');
      stack[stack.length - 1]!.text += unescape(chunk);
    }
    if (lt < 0) break;
    i = lt;
    if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i);
      if (end < 0) fail('unterminated processing instruction');
      i = end + 2;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) fail('unterminated comment');
      i = end + 3;
    } else if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i);
      if (end < 0 || !stack.length) fail('CDATA outside an element or unterminated');
      stack[stack.length - 1]!.text += text.slice(i + 9, end);
      i = end + 3;
    } else if (text.startsWith('<!', i)) {
      fail('DOCTYPE and declarations are not accepted');
    } else if (text.startsWith('</', i)) {
      NAME.lastIndex = i + 2;
      const m = NAME.exec(text);
      const open = stack.pop();
      if (!m || !open || open.name !== m[0]) fail(`closing tag does not match <${open?.name ?? ''}>`);
      const gt = text.indexOf('>', NAME.lastIndex);
      if (gt < 0 || text.slice(NAME.lastIndex, gt).trim()) fail('bad closing tag');
      open.text = open.text.trim();
      i = gt + 1;
    } else {
      NAME.lastIndex = i + 1;
      const m = NAME.exec(text);
      if (!m) fail('a "<" that starts no element');
      const el: XmlElement = { name: m[0], attrs: {}, children: [], text: '' };
      let j = NAME.lastIndex;
      for (;;) {
        ATTR.lastIndex = j;
        const a = ATTR.exec(text);
        if (!a) break;
        el.attrs[a[1]!] = unescape(a[3] ?? a[4] ?? '');
        j = ATTR.lastIndex;
      }
      while (j < n && /\s/.test(text[j]!)) j++;
      let selfClosing = false;
      if (text[j] === '/') {
        selfClosing = true;
        j++;
      }
      if (text[j] !== '>') fail(`malformed start tag <${el.name}>`);
      i = j + 1;
      if (++count > lim.maxElements) fail(`more than ${lim.maxElements} elements`);
      if (stack.length) stack[stack.length - 1]!.children.push(el);
      else if (root) fail('more than one root element');
      else root = el;
      if (!selfClosing) {
        stack.push(el);
        if (stack.length > lim.maxDepth) fail(`nested deeper than ${lim.maxDepth}`);
      }
    }
  }
  if (stack.length) fail(`<${stack[stack.length - 1]!.name}> is not closed`);
  if (!root) fail('no root element');
  return root;
}

/** The first child with this name (case-insensitive: devices differ on `DeviceId`/`DeviceID`). */
export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  if (!el) return undefined;
  const lower = name.toLowerCase();
  return el.children.find((c) => c.name.toLowerCase() === lower);
}

export function childText(el: XmlElement | undefined, name: string): string | undefined {
  const c = child(el, name);
  return c ? c.text : undefined;
}

export function children(el: XmlElement | undefined, name: string): XmlElement[] {
  if (!el) return [];
  const lower = name.toLowerCase();
  return el.children.filter((c) => c.name.toLowerCase() === lower);
}

function escape(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&${({ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' } as const)[c as '<']};`);
}

/** A node to write: a value is text, an array repeats the element, an object nests, `$attrs` sets attributes. */
export type XmlValue = string | number | undefined | XmlNode | XmlValue[];
export interface XmlNode {
  $attrs?: Record<string, string | number>;
  [name: string]: XmlValue | Record<string, string | number> | undefined;
}

function writeElement(name: string, value: XmlValue, out: string[]): void {
  if (value === undefined) return;
  if (Array.isArray(value)) {
    for (const v of value) writeElement(name, v, out);
    return;
  }
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) throw new SipError('SIP_BODY', `"${name}" is not an XML element name`);
  if (typeof value !== 'object') {
    out.push(`<${name}>${escape(String(value))}</${name}>\r\n`);
    return;
  }
  const attrs = value.$attrs ? Object.entries(value.$attrs).map(([k, v]) => ` ${k}="${escape(String(v))}"`).join('') : '';
  out.push(`<${name}${attrs}>\r\n`);
  for (const [k, v] of Object.entries(value)) if (k !== '$attrs') writeElement(k, v as XmlValue, out);
  out.push(`</${name}>\r\n`);
}

/** Writes a document with its declaration, in the element order the object gives. */
export function buildXml(rootName: string, root: XmlNode, encoding = 'GB2312'): string {
  const out = [`<?xml version="1.0" encoding="${encoding}"?>\r\n`];
  writeElement(rootName, root, out);
  return out.join('');
}
