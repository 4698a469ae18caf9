// Weekly online and good rate as a small inline SVG line chart with the profile's target as a
// dashed line; no chart library (the console keeps its dependencies few).
import { useTranslation } from 'react-i18next';
import type { Trends } from './health-model';
import { percent } from './health-model';
import { H, lineOf, PAD, W, yRange } from './trend-scale';

export function TrendChart({ trends, target }: { trends: Trends; target: number | null }) {
  const { t } = useTranslation();
  const weeks = trends.weeks;
  const online = weeks.map((w) => w.onlineRate);
  const good = weeks.map((w) => w.goodRate);
  const range = yRange([...online, ...good, target]);
  const onlineLine = lineOf(online, range);
  const goodLine = lineOf(good, range);
  const span = range[1] - range[0] || 1;
  const yOf = (r: number) => PAD.top + (1 - (r - range[0]) / span) * (H - PAD.top - PAD.bottom);
  const ticks = [range[0], (range[0] + range[1]) / 2, range[1]];
  const xs = lineOf(weeks.map(() => range[0]), range).points.map((p) => p.x);
  const colours = { online: '#1677ff', good: '#52c41a', target: '#cf1322' };

  if (!weeks.length) return <div data-testid="trend-empty">{t('health.rates.noTrend')}</div>;
  return (
    <div>
      <svg data-testid="trend-chart" viewBox={`0 0 ${W} ${H}`} width="100%" style={{ maxWidth: W }} role="img" aria-label={t('health.rates.trendTitle')}>
        {ticks.map((v) => (
          <g key={v}>
            <line x1={PAD.left} x2={W - PAD.right} y1={yOf(v)} y2={yOf(v)} stroke="#f0f0f0" />
            <text x={PAD.left - 6} y={yOf(v) + 4} fontSize={11} textAnchor="end" fill="#8c8c8c">{percent(v)}</text>
          </g>
        ))}
        {weeks.map((w, i) => (
          <text key={w.week} x={xs[i]} y={H - 8} fontSize={11} textAnchor="middle" fill="#8c8c8c">{w.week}</text>
        ))}
        {target !== null && (
          <line data-testid="trend-target" x1={PAD.left} x2={W - PAD.right} y1={yOf(target)} y2={yOf(target)} stroke={colours.target} strokeDasharray="6 4" />
        )}
        {([['online', onlineLine], ['good', goodLine]] as const).map(([k, line]) => (
          <g key={k}>
            <path d={line.d} fill="none" stroke={colours[k]} strokeWidth={2} />
            {line.points.map((p) => (
              <circle key={p.x} cx={p.x} cy={p.y} r={3} fill={colours[k]}>
                <title>{`${t(`health.rates.${k}Rate`)} ${percent(p.rate)}`}</title>
              </circle>
            ))}
          </g>
        ))}
      </svg>
      <div style={{ display: 'flex', gap: 16, fontSize: 12 }}>
        <span style={{ color: colours.online }}>● {t('health.rates.onlineRate')}</span>
        <span style={{ color: colours.good }}>● {t('health.rates.goodRate')}</span>
        {target !== null && <span style={{ color: colours.target }}>┅ {t('health.rates.target')} {percent(target)}</span>}
      </div>
    </div>
  );
}
