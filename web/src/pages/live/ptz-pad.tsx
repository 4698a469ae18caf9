// A small PTZ pad on a tile whose camera the server says is a GB/T 28181 channel one may steer: hold an arrow or zoom button to move, release to stop
// (POST /cameras/:id/ptz); presets 1–255 saved, called and removed below the arrows. Whether one
// may steer is the server's decision; a refusal is shown.
import { Button, InputNumber, Tooltip } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { request } from '../../api/client';
import { useErrorReporter } from '../../common/error-report';

type Move = { pan?: 'left' | 'right'; tilt?: 'up' | 'down'; zoom?: 'in' | 'out' };

const KEYS: { key: string; label: string; move: Move }[] = [
  { key: 'up', label: '▲', move: { tilt: 'up' } },
  { key: 'left', label: '◀', move: { pan: 'left' } },
  { key: 'right', label: '▶', move: { pan: 'right' } },
  { key: 'down', label: '▼', move: { tilt: 'down' } },
  { key: 'zoomIn', label: '+', move: { zoom: 'in' } },
  { key: 'zoomOut', label: '−', move: { zoom: 'out' } },
];

export function PtzPad({ cameraId }: { cameraId: number }) {
  const { t } = useTranslation();
  const report = useErrorReporter();
  const [offered, setOffered] = useState(false);
  const [preset, setPreset] = useState(1);
  useEffect(() => {
    let live = true;
    request<{ gb28181: boolean; mayControl: boolean }>('GET', `/cameras/${cameraId}/ptz`)
      .then((o) => live && setOffered(o.gb28181 && o.mayControl))
      .catch(() => live && setOffered(false));
    return () => {
      live = false;
    };
  }, [cameraId]);
  const send = (body: Record<string, unknown>) => void request('POST', `/cameras/${cameraId}/ptz`, { json: body }).catch(report);
  if (!offered) return null;
  return (
    <div data-testid="ptz-pad" style={{ position: 'absolute', right: 6, bottom: 6, display: 'grid', gridTemplateColumns: 'repeat(4, 26px)', gap: 2, background: 'rgba(0,0,0,0.35)', padding: 3, borderRadius: 4 }}>
      {KEYS.map(({ key, label, move }) => (
        <Tooltip key={key} title={t(`ptz.${key}`)}>
          <Button
            size="small"
            aria-label={t(`ptz.${key}`)}
            data-testid={`ptz-${key}`}
            onPointerDown={() => send({ action: 'move', ...move })}
            onPointerUp={() => send({ action: 'stop' })}
            onPointerLeave={(e) => e.buttons && send({ action: 'stop' })}
          >
            {label}
          </Button>
        </Tooltip>
      ))}
      <Tooltip title={t('ptz.preset')}>
        <InputNumber size="small" min={1} max={255} value={preset} onChange={(v) => setPreset(typeof v === 'number' ? v : 1)} controls={false} aria-label={t('ptz.preset')} data-testid="ptz-preset" style={{ width: 26, gridColumn: 'span 1', padding: 0 }} />
      </Tooltip>
      {(['goto', 'set', 'delete'] as const).map((op) => (
        <Tooltip key={op} title={t(`ptz.preset${op === 'goto' ? 'Goto' : op === 'set' ? 'Set' : 'Remove'}`)}>
          <Button size="small" aria-label={t(`ptz.preset${op === 'goto' ? 'Goto' : op === 'set' ? 'Set' : 'Remove'}`)} data-testid={`ptz-preset-${op}`} onClick={() => send({ action: 'preset', op, preset })}>
            {op === 'goto' ? '↪' : op === 'set' ? '★' : '✕'}
          </Button>
        </Tooltip>
      ))}
    </div>
  );
}
