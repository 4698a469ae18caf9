import { Space, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { LazyTooltip } from './lazy-tooltip';

export type ArticleTexts = Record<string, { zh: string; en: string } | string>;

/** The articles of the jurisdiction profile behind a rule, e.g. AH-8, shown as tags; with the
 * article's text on hover when it is known. */
export function ArticleTags({ articles, label = false, texts }: { articles: readonly string[]; label?: boolean; texts?: ArticleTexts }) {
  const { t, i18n } = useTranslation();
  if (!articles.length) return null;
  const textOf = (a: string) => {
    // "AH-17(3)" is cited; the profile holds the text of "AH-17".
    const entry = texts?.[a] ?? texts?.[a.replace(/\(.*$/, '')];
    if (!entry) return undefined;
    return typeof entry === 'string' ? entry : i18n.language === 'en' ? entry.en : entry.zh;
  };
  return (
    <Space size={[0, 4]} wrap data-testid="articles">
      {label && <span>{t('common.articles')}:</span>}
      {articles.map((a) => {
        const tag = (
          <Tag key={a} color="geekblue" style={{ marginInlineEnd: 4 }}>
            {a}
          </Tag>
        );
        const tip = textOf(a);
        return tip ? <LazyTooltip key={a} title={tip}>{tag}</LazyTooltip> : tag;
      })}
    </Space>
  );
}
