import { Space, Tag } from 'antd';
import { useTranslation } from 'react-i18next';

/** The articles of the jurisdiction profile behind a rule, e.g. AH-8, shown as tags. */
export function ArticleTags({ articles, label = false }: { articles: readonly string[]; label?: boolean }) {
  const { t } = useTranslation();
  if (!articles.length) return null;
  return (
    <Space size={[0, 4]} wrap data-testid="articles">
      {label && <span>{t('common.articles')}:</span>}
      {articles.map((a) => (
        <Tag key={a} color="geekblue" style={{ marginInlineEnd: 4 }}>
          {a}
        </Tag>
      ))}
    </Space>
  );
}
