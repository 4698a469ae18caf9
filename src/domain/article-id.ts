// Article IDs as the profiles write them — 'AH-17', 'AH-17(3)', 'AH-17¶2(3)', 'CN799-16(3)' — and
// as a Chinese reader cites them: 第十七条第二款第（三）项. Pure.
import { ARTICLE_ID } from './profile-file.js';

export interface ArticleRef {
  code: string;
  article: number;
  /** 款: the paragraph, when the ID names one. */
  paragraph: number | null;
  /** 项: the item, when the ID names one. */
  item: number | null;
}

export function parseArticleId(id: string): ArticleRef | null {
  if (!ARTICLE_ID.test(id)) return null;
  const m = /^([A-Z]{2,4}\d{0,4})-(\d{1,3})(?:¶(\d{1,2}))?(?:\((\d{1,2})\))?$/.exec(id)!;
  return { code: m[1]!, article: Number(m[2]), paragraph: m[3] ? Number(m[3]) : null, item: m[4] ? Number(m[4]) : null };
}

const DIGITS = '零一二三四五六七八九';

/** 1..999 in Chinese numerals as legal texts write them: 十七, 二十, 一百零五. */
export function chineseNumber(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > 999) throw new RangeError(`${n} is not a whole number from 1 to 999`);
  const h = Math.floor(n / 100);
  const t = Math.floor((n % 100) / 10);
  const u = n % 10;
  let out = h ? `${DIGITS[h]}百` : '';
  if (t) out += t === 1 && !h ? '十' : `${DIGITS[t]}十`;
  else if (h && u) out += '零';
  if (u) out += DIGITS[u];
  return out;
}

/** 'AH-17¶2(3)' → '第十七条第二款第（三）项'; an unreadable ID comes back as it is. */
export function articleZh(id: string): string {
  const r = parseArticleId(id);
  if (!r) return id;
  let out = `第${chineseNumber(r.article)}条`;
  if (r.paragraph !== null) out += `第${chineseNumber(r.paragraph)}款`;
  if (r.item !== null) out += `第（${chineseNumber(r.item)}）项`;
  return out;
}

/** 'AH-17¶2(3)' → 'art. 17 para. 2 item (3)'. */
export function articleEn(id: string): string {
  const r = parseArticleId(id);
  if (!r) return id;
  return `art. ${r.article}${r.paragraph !== null ? ` para. ${r.paragraph}` : ''}${r.item !== null ? ` item (${r.item})` : ''}`;
}
