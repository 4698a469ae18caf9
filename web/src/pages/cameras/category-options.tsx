import { Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { PlaceCategory } from '../../api/types';
import { isProhibited } from '../../common/names';

/** A place category as an option: both names, and a mark where cameras are prohibited. */
export function CategoryLabel({ category }: { category: PlaceCategory }) {
  const { t, i18n } = useTranslation();
  const en = i18n.language === 'en';
  const [first, second] = en ? [category.name.en, category.name.zh] : [category.name.zh, category.name.en];
  return (
    <span>
      {first} <Typography.Text type="secondary">{second}</Typography.Text>
      {isProhibited(category) && (
        <Tag color="red" style={{ marginInlineStart: 6 }}>
          {t('category.prohibited')}
        </Tag>
      )}
    </span>
  );
}

export function categoryOptions(categories: PlaceCategory[]) {
  return categories.map((c) => ({
    value: c.id,
    label: <CategoryLabel category={c} />,
    // Typing in the select matches either language and the id.
    search: `${c.id} ${c.name.zh} ${c.name.en}`.toLowerCase(),
  }));
}

export const filterCategoryOption = (input: string, option?: { search: string }) => (option?.search ?? '').includes(input.toLowerCase());
