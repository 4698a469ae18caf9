// The console's Chinese uses the regulations' own words (GLOSSARY.md): a word the texts never use
// for a concept is not used for it here, so an officer reading the console reads the law's terms.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/project-root.js';

const zh = readFileSync(join(projectRoot(), 'web', 'src', 'i18n', 'zh.json'), 'utf8');
const en = readFileSync(join(projectRoot(), 'web', 'src', 'i18n', 'en.json'), 'utf8');

/** Glossary term → words the console must not use in its place (read from GLOSSARY.md and the texts). */
const TERMS: { term: string; not: string[]; why: string }[] = [
  { term: '用途', not: ['事由'], why: 'the register records 用途 and 去向 (登记：人员、时间、用途、去向)' },
  { term: '查阅', not: ['调阅', '调看'], why: 'the texts say 查阅、复制、调取; 调阅 is in none of them' },
  { term: '移动', not: ['迁移', '搬迁', '挪移'], why: 'one word for moving a camera (拆除 / 移动)' },
  { term: '实地查看', not: ['现场查看', '现场检查'], why: 'AH-13: the police 实地查看、指导' },
  { term: '县级以上公安机关', not: ['县级公安机关', '县以上公安机关'], why: 'WH-25 and CN799-14 name the police by level' },
  { term: '备案', not: ['报备案', '登记备案'], why: 'filing is 备案' },
  { term: '立卷归档', not: ['归档立卷'], why: 'the archive of records' },
];

describe('regulation terms in the Chinese console', () => {
  for (const { term, not, why } of TERMS) {
    it(`uses ${term}, never ${not.join(' / ')} (${why})`, () => {
      // The county-level term may sit inside the longer one; look for the wrong words standing alone.
      for (const wrong of not) {
        const hits = zh.split(term).join('').includes(wrong);
        expect([wrong, hits]).toEqual([wrong, false]);
      }
      expect(zh).toContain(term);
    });
  }

  it('names viewing, copying and retrieving together where it names access to footage', () => {
    expect(zh).toContain('查阅、复制、调取');
    // Wherever the English says purpose of an access, the Chinese says 用途.
    expect(/"purpose": "[^"]*"/.exec(zh)?.[0]).toMatch(/用途/);
    expect(en).toMatch(/"purpose"/);
  });
});
