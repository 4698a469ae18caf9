// A small, strict XML 1.0 reader for SOAP replies: elements, attributes, text, CDATA, comments,
// processing instructions and namespaces (Namespaces in XML 1.0 §6). DOCTYPE is refused, so no
// entity can expand; only the five predefined entities and character references are decoded.
// Size, depth, element and attribute counts are capped; every failure is an OnvifError.
import { OnvifError } from './errors.js';

export interface XmlElement {
  /** Qualified name as written, e.g. "tds:Manufacturer". */
  name: string;
  local: string;
  /** Namespace URI the prefix resolves to ("" when none). */
  ns: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Text content directly inside this element (CDATA included), concatenated. */
  text: string;
}

export interface XmlLimits {
  maxBytes: number;
  maxDepth: number;
  maxElements: number;
  maxAttributes: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxBytes: 1 << 20, maxDepth: 48, maxElements: 20_000, maxAttributes: 64 };

const XML_NS = 'http://www.w3.org/XML/1998/namespace';

function fail(message: string): never {
  throw new OnvifError('ONVIF_XML', message);
}

function isNameChar(c: number): boolean {
  // Letters, digits, '-', '.', '_', ':' and anything non-ASCII (names in other scripts).
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x3a || c > 0x7f;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  let out = '';
  let i = 0;
  while (i < s.length) {
    const amp = s.indexOf('&', i);
    if (amp < 0) {
      out += s.slice(i);
      break;
    }
    out += s.slice(i, amp);
    const semi = s.indexOf(';', amp);
    if (semi < 0 || semi - amp > 12) fail('an unterminated entity reference');
    const name = s.slice(amp + 1, semi);
    if (name.startsWith('#')) {
      const hex = name[1] === 'x';
      const digits = name.slice(hex ? 2 : 1);
      if (!digits || !(hex ? /^[0-9a-fA-F]+$/ : /^[0-9]+$/).test(digits)) fail('a bad character reference');
      const cp = parseInt(digits, hex ? 16 : 10);
      if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) fail('a character reference out of range');
      out += String.fromCodePoint(cp);
    } else {
      const v = NAMED[name];
      if (v === undefined) fail(`an undeclared entity &${name.slice(0, 20)};`);
      out += v;
    }
    i = semi + 1;
  }
  return out;
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

interface Open {
  el: XmlElement;
  scope: Map<string, string>;
}

export function parseXml(input: string | Buffer, limits: Partial<XmlLimits> = {}): XmlElement {
  const lim = { ...DEFAULT_XML_LIMITS, ...limits };
  const bytes = typeof input === 'string' ? Buffer.byteLength(input) : input.length;
  if (bytes > lim.maxBytes) throw new OnvifError('ONVIF_LIMIT', `XML of ${bytes} bytes is over the limit of ${lim.maxBytes}`);
  const s = typeof input === 'string' ? input : input.toString('utf8');
  const stack: Open[] = [];
  let root: XmlElement | undefined;
  let elements = 0;
  let i = s.charCodeAt(0) === 0xfeff ? 1 : 0;

  const readName = (): string => {
    const start = i;
    while (i < s.length && isNameChar(s.charCodeAt(i))) i++;
    if (i === start) fail(`a name expected at ${start}`);
    return s.slice(start, i);
  };
  const skipSpace = () => {
    while (i < s.length && isSpace(s.charCodeAt(i))) i++;
  };
  const until = (end: string, what: string): string => {
    const at = s.indexOf(end, i);
    if (at < 0) fail(`an unterminated ${what}`);
    const body = s.slice(i, at);
    i = at + end.length;
    return body;
  };
  const addText = (t: string) => {
    const top = stack.at(-1);
    if (top) top.el.text += t;
    else if (t.trim()) fail('text outside the root element');
  };

  while (i < s.length) {
    if (s.charCodeAt(i) !== 0x3c) {
      const next = s.indexOf('<', i);
      const end = next < 0 ? s.length : next;
      addText(decodeEntities(s.slice(i, end)));
      i = end;
      continue;
    }
    if (s.startsWith('<?', i)) {
      i += 2;
      until('?>', 'processing instruction');
    } else if (s.startsWith('<!--', i)) {
      i += 4;
      until('-->', 'comment');
    } else if (s.startsWith('<![CDATA[', i)) {
      i += 9;
      if (!stack.length) fail('CDATA outside the root element');
      addText(until(']]>', 'CDATA section'));
    } else if (s.startsWith('<!', i)) {
      fail('DOCTYPE and other declarations are not accepted');
    } else if (s.startsWith('</', i)) {
      i += 2;
      const name = readName();
      skipSpace();
      if (s[i] !== '>') fail(`a bad end tag </${name.slice(0, 40)}`);
      i++;
      const top = stack.pop();
      if (!top || top.el.name !== name) fail(`</${name.slice(0, 40)}> does not close the open element`);
    } else {
      i++;
      const name = readName();
      if (++elements > lim.maxElements) throw new OnvifError('ONVIF_LIMIT', 'too many XML elements');
      if (stack.length >= lim.maxDepth) throw new OnvifError('ONVIF_LIMIT', 'XML nested too deeply');
      if (root && !stack.length) fail('a second root element');
      const attrs: Record<string, string> = Object.create(null) as Record<string, string>;
      let count = 0;
      let selfClosing = false;
      for (;;) {
        const before = i;
        skipSpace();
        if (s[i] === '>') {
          i++;
          break;
        }
        if (s.startsWith('/>', i)) {
          i += 2;
          selfClosing = true;
          break;
        }
        if (i === before) fail(`space expected in <${name.slice(0, 40)}>`);
        const an = readName();
        skipSpace();
        if (s[i] !== '=') fail(`= expected after attribute ${an.slice(0, 40)}`);
        i++;
        skipSpace();
        const q = s[i];
        if (q !== '"' && q !== "'") fail('an attribute value must be quoted');
        i++;
        const raw = until(q, 'attribute value');
        if (raw.includes('<')) fail('< in an attribute value');
        if (an in attrs) fail(`attribute ${an.slice(0, 40)} given twice`);
        if (++count > lim.maxAttributes) throw new OnvifError('ONVIF_LIMIT', 'too many XML attributes');
        attrs[an] = decodeEntities(raw);
      }
      const parentScope = stack.at(-1)?.scope;
      let scope = parentScope ?? new Map([['xml', XML_NS]]);
      for (const [k, v] of Object.entries(attrs)) {
        if (k === 'xmlns' || k.startsWith('xmlns:')) {
          if (scope === parentScope) scope = new Map(scope);
          scope.set(k === 'xmlns' ? '' : k.slice(6), v);
        }
      }
      const colon = name.indexOf(':');
      const prefix = colon >= 0 ? name.slice(0, colon) : '';
      const local = colon >= 0 ? name.slice(colon + 1) : name;
      const ns = scope.get(prefix);
      if (ns === undefined && prefix) fail(`undeclared namespace prefix ${prefix.slice(0, 40)}`);
      const el: XmlElement = { name, local, ns: ns ?? '', attrs, children: [], text: '' };
      const parent = stack.at(-1);
      if (parent) parent.el.children.push(el);
      else root = el;
      if (!selfClosing) stack.push({ el, scope });
    }
  }
  if (stack.length) fail(`<${stack.at(-1)!.el.name.slice(0, 40)}> is not closed`);
  if (!root) fail('no root element');
  return root;
}

/** The first descendant (depth first, self excluded) with this local name. */
export function findFirst(el: XmlElement, local: string): XmlElement | undefined {
  for (const c of el.children) {
    if (c.local === local) return c;
    const d = findFirst(c, local);
    if (d) return d;
  }
  return undefined;
}

/** Every descendant with this local name, in document order. */
export function findAll(el: XmlElement, local: string, out: XmlElement[] = []): XmlElement[] {
  for (const c of el.children) {
    if (c.local === local) out.push(c);
    findAll(c, local, out);
  }
  return out;
}

/** The child reached by a path of local names, e.g. path(profile, 'VideoEncoderConfiguration', 'Encoding'). */
export function path(el: XmlElement | undefined, ...locals: string[]): XmlElement | undefined {
  let cur = el;
  for (const l of locals) cur = cur?.children.find((c) => c.local === l);
  return cur;
}

export function textAt(el: XmlElement | undefined, ...locals: string[]): string | undefined {
  const t = path(el, ...locals)?.text.trim();
  return t === undefined || t === '' ? undefined : t;
}
