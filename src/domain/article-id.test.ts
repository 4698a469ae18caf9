import { describe, expect, it } from 'vitest';
import { articleEn, articleZh, chineseNumber, parseArticleId } from './article-id.js';

describe('article IDs with paragraphs (款) and items (项)', () => {
  it('parse code, article, paragraph and item', () => {
    expect(parseArticleId('AH-17¶2(3)')).toEqual({ code: 'AH', article: 17, paragraph: 2, item: 3 });
    expect(parseArticleId('CN799-16(3)')).toEqual({ code: 'CN799', article: 16, paragraph: null, item: 3 });
    expect(parseArticleId('CN799-27¶2')).toEqual({ code: 'CN799', article: 27, paragraph: 2, item: null });
    expect(parseArticleId('HRB-9')).toEqual({ code: 'HRB', article: 9, paragraph: null, item: null });
    for (const bad of ['R5.3', 'AH17', 'AH-17¶', 'ah-17', 'AH-17(3)¶2']) expect([bad, parseArticleId(bad)]).toEqual([bad, null]);
  });

  it('show in Chinese as the texts cite them', () => {
    expect(articleZh('AH-17¶2(3)')).toBe('第十七条第二款第（三）项');
    expect(articleZh('CN799-8(4)')).toBe('第八条第（四）项');
    expect(articleZh('CN799-27¶2')).toBe('第二十七条第二款');
    expect(articleZh('CTL-32')).toBe('第三十二条');
    expect(articleZh('HRB-25(3)')).toBe('第二十五条第（三）项');
    expect(articleZh('R5.3')).toBe('R5.3');
    expect(articleEn('AH-17¶2(3)')).toBe('art. 17 para. 2 item (3)');
  });

  it('write Chinese numerals', () => {
    expect([1, 10, 11, 20, 21, 34, 100, 105, 110, 999].map(chineseNumber)).toEqual(['一', '十', '十一', '二十', '二十一', '三十四', '一百', '一百零五', '一百一十', '九百九十九']);
    expect(() => chineseNumber(0)).toThrow(RangeError);
  });
});
