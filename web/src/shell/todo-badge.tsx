// The header's to-do: requests waiting for this person's confirmation as an officer or their
// approval, and role grants waiting for them as a second administrator. The server computes each
// list with the same judgement as the action; the console asks again every minute and whenever
// the window comes back into view.
import { Badge, Button, Dropdown } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { request } from '../api/client';
import type { ResponseOf } from '../api/schema';
import { useAsync } from '../common/use-async';
import { navigate, usePath } from './router';

export type Todo = ResponseOf<'/api/v1/todo', 'get'>;

const EVERY_MS = 60_000;

export function TodoBadge() {
  const { t } = useTranslation();
  const path = usePath();
  // A page change is often the result of acting on one: ask again.
  const todo = useAsync(() => request<Todo>('GET', '/todo'), [path]);
  const { reload } = todo;
  useEffect(() => {
    const timer = setInterval(reload, EVERY_MS);
    const onFocus = () => reload();
    window.addEventListener('focus', onFocus);
    return () => {
      clearInterval(timer);
      window.removeEventListener('focus', onFocus);
    };
  }, [reload]);

  const d = todo.data;
  const total = d ? d.confirm.length + d.approve.length + d.grants.length : 0;
  const items = [
    { key: 'confirm', n: d?.confirm.length ?? 0, to: '/access-requests' },
    { key: 'approve', n: d?.approve.length ?? 0, to: '/access-requests' },
    { key: 'grants', n: d?.grants.length ?? 0, to: '/users' },
  ].filter((i) => i.n > 0);
  return (
    <Dropdown
      trigger={['click']}
      disabled={!items.length}
      menu={{
        items: items.map((i) => ({ key: i.key, label: <span data-testid={`todo-${i.key}`}>{t(`todo.${i.key}`, { count: i.n })}</span>, onClick: () => navigate(i.to) })),
      }}
    >
      <Button type="text" style={{ color: '#fff' }} data-testid="todo" aria-label={t('todo.label', { count: total })}>
        <Badge count={total} size="small" offset={[8, -2]} data-testid="todo-count">
          <span style={{ color: '#fff' }}>{t('todo.title')}</span>
        </Badge>
      </Button>
    </Dropdown>
  );
}
