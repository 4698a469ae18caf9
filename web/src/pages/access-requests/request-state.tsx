import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { RequestState } from '../../api/access';

const COLOURS: Record<RequestState, string> = {
  draft: 'default',
  submitted: 'processing',
  approved: 'green',
  refused: 'red',
  in_use: 'cyan',
  closed: 'default',
  expired: 'orange',
};

export function StateTag({ state }: { state: RequestState }) {
  const { t } = useTranslation();
  return <Tag color={COLOURS[state]} data-testid="request-state">{t(`request.state.${state}`)}</Tag>;
}

export function formatTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
