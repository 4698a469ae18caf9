// Penalties of one inspection (R8.1, AH-24..26, CN-26..31): the officer picks one of the
// profile's penalty articles and sees, before recording, whom it fines, the ranges and when
// (at once, only if an order was not complied with, only if serious). The server judges again
// and refuses anything outside them, citing the article.
import { Button, Input, InputNumber, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../../api/client';
import { ArticleTags } from '../../common/articles';
import { useErrorReporter } from '../../common/error-report';
import { useAsync } from '../../common/use-async';
import { day, supervisionApi, type InspectionView, type PenaltyInput, type PenaltyView, type ProfilePenalty } from '../systems/supervision-api';

export function Penalties({ inspection, police, onChanged }: { inspection: InspectionView; police: boolean; onChanged(): void }) {
  const { t, i18n } = useTranslation();
  const report = useErrorReporter();
  const profile = useAsync(async () => (await api.profiles.get(inspection.profileId)) as { penalties: ProfilePenalty[] }, [inspection.profileId]);
  const [article, setArticle] = useState<string>();
  const [payer, setPayer] = useState<PenaltyInput['payer']>();
  const [amount, setAmount] = useState<number | null>(null);
  const [order, setOrder] = useState<number | null>(null);
  const [serious, setSerious] = useState('');
  const [note, setNote] = useState('');
  const penalties = profile.data?.penalties ?? [];
  const chosen = penalties.find((p) => p.article === article);
  const words = (b: { zh: string; en: string }) => (i18n.language === 'en' ? b.en : b.zh);

  const record = async () => {
    try {
      await supervisionApi.inspections.penalty(inspection.id, { article: article!, payer: payer!, amountYuan: amount!, rectificationId: order, seriousReason: serious.trim() || null, note: note.trim() });
      setAmount(null);
      setNote('');
      onChanged();
    } catch (e) {
      report(e);
    }
  };

  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Table<PenaltyView>
        size="small"
        rowKey="id"
        data-testid="penalties"
        pagination={false}
        title={() => t('supervision.penalty.title')}
        dataSource={inspection.penalties}
        columns={[
          { title: t('common.articles'), dataIndex: 'article', render: (a: string) => <ArticleTags articles={[a]} /> },
          { title: t('supervision.penalty.payer'), dataIndex: 'payer', render: (p: string) => t(`supervision.penalty.payers.${p}`) },
          { title: t('supervision.penalty.amount'), dataIndex: 'amountYuan', render: (y: number) => `¥${y.toLocaleString()}` },
          { title: t('supervision.penalty.decided'), dataIndex: 'decidedAt', render: day },
          { title: t('supervision.penalty.note'), dataIndex: 'note', render: (n: string) => n || '—' },
          // WH-29: every decision states the right to reconsideration or a lawsuit.
          { title: t('supervision.penalty.appeal'), key: 'appeal', render: (_: unknown, p) => <Space size={4} data-testid="penalty-appeal">{words(p.appeal.text)}<ArticleTags articles={p.appeal.articles} /></Space> },
        ]}
      />
      {police && inspection.state === 'open' && (
        <Space direction="vertical" style={{ width: '100%' }} data-testid="penalty-form">
          <Space wrap>
            <Select
              data-testid="penalty-article"
              style={{ width: 320 }}
              placeholder={t('supervision.penalty.article')}
              value={article}
              onChange={(a: string) => { setArticle(a); setPayer(undefined); }}
              options={penalties.map((p) => ({ value: p.article, label: `${p.article} ${words(p.offence)}` }))}
              optionFilterProp="label"
            />
            <Select
              data-testid="penalty-payer"
              style={{ width: 160 }}
              placeholder={t('supervision.penalty.payer')}
              value={payer}
              onChange={setPayer}
              disabled={!chosen}
              options={[...new Set(chosen?.fines.map((f) => f.payer) ?? [])].map((p) => ({ value: p, label: t(`supervision.penalty.payers.${p}`) }))}
            />
            <InputNumber data-testid="penalty-amount" style={{ width: 160 }} min={1} precision={0} prefix="¥" placeholder={t('supervision.penalty.amount')} value={amount} onChange={(v) => setAmount(v)} />
            {chosen?.when === 'if-not-corrected' && (
              <Select
                data-testid="penalty-order"
                style={{ width: 220 }}
                placeholder={t('supervision.penalty.order')}
                value={order ?? undefined}
                onChange={(v: number) => setOrder(v)}
                options={inspection.rectifications.map((r) => ({ value: r.id, label: `#${r.id} ${t('supervision.due')} ${day(r.dueAt)}` }))}
              />
            )}
            {chosen?.when === 'if-serious' && <Input data-testid="penalty-serious" style={{ width: 240 }} placeholder={t('supervision.penalty.serious')} value={serious} onChange={(e) => setSerious(e.target.value)} />}
            <Input data-testid="penalty-note" style={{ width: 200 }} placeholder={t('supervision.penalty.note')} value={note} onChange={(e) => setNote(e.target.value)} />
            <Button type="primary" danger data-testid="record-penalty" disabled={!chosen || !payer || !amount} onClick={() => void record()}>{t('supervision.penalty.record')}</Button>
          </Space>
          {chosen && (
            <div data-testid="penalty-ranges">
              <Tag>{t(`supervision.penalty.when.${chosen.when}`)}</Tag>
              {chosen.fines
                .filter((f) => !payer || f.payer === payer)
                .map((f, i) => (
                  <Typography.Text key={i} style={{ marginInlineEnd: 12 }}>
                    {t(`supervision.penalty.payers.${f.payer}`)} ¥{f.minYuan.toLocaleString()}–{f.maxYuan.toLocaleString()}
                    {f.condition ? `（${words(f.condition)}）` : ''}
                    {f.orWarning ? ` ${t('supervision.penalty.orWarning')}` : ''}
                  </Typography.Text>
                ))}
            </div>
          )}
        </Space>
      )}
    </Space>
  );
}
