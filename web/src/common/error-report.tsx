// Shows an API error in full: its message, each field problem, and the articles behind a
// refusal. Field problems that name a field of the open form are also put on that field.
import { Typography } from 'antd';
import { useFeedback } from './feedback';
import type { FormInstance } from 'antd';
import { useCallback } from 'react';
import i18next from 'i18next';
import { useTranslation } from 'react-i18next';
import { ApiError, type ErrorDetail } from '../api/client';
import { ArticleTags } from './articles';
import { loadPlaceCategoryNames, placeCategoryName } from './reference-data';

/** "body.gbId" → "gbId"; "gbId" → "gbId"; "line 3: gbId" → undefined (not a form field). */
export function formFieldOf(path: string | undefined): string | undefined {
  if (!path) return undefined;
  const parts = path.split('.');
  if (parts[0] === 'body') parts.shift();
  const name = parts[0];
  return name && /^[A-Za-z][A-Za-z0-9]*$/.test(name) ? name : undefined;
}

/** Whether the console reads Chinese now (server sentences are English and never shown then). */
const chinese = () => i18next.language !== 'en';

/** A field problem in the reader's language: the server's words in English, a known word or a plain "not valid" in Chinese. */
export function detailText(t: T, d: ErrorDetail): string {
  if (!chinese()) return d.message;
  const key = `error.detailWords.${d.message}`;
  return i18next.exists(key) ? t(key) : t('error.detailWords.invalid');
}

export function ErrorDetails({ details }: { details: readonly ErrorDetail[] }) {
  const { t } = useTranslation();
  if (!details.length) return null;
  return (
    <ul style={{ margin: '4px 0', paddingInlineStart: 18 }} data-testid="error-details">
      {details.map((d, i) => (
        <li key={i} title={d.message}>
          {d.path ? <Typography.Text code>{d.path}</Typography.Text> : null} {detailText(t, d)}
        </li>
      ))}
    </ul>
  );
}

type T = (key: string, options?: Record<string, unknown>) => string;

/** A code-valued parameter in words: a place category's name, a request state, a role. */
function paramWords(t: T, params: ApiError['params']): Record<string, string | number> {
  const en = !chinese();
  const out: Record<string, string | number> = { ...params };
  const word = (key: string, v: string) => (i18next.exists(key) ? t(key) : v);
  if (typeof params.category === 'string') out.category = placeCategoryName(params.category, en) ?? params.category;
  if (typeof params.state === 'string') out.state = word(`request.state.${params.state}`, params.state);
  if (typeof params.payer === 'string') out.payer = word(`penalty.payer.${params.payer}`, params.payer);
  for (const k of ['role', 'held'] as const) if (typeof params[k] === 'string') out[k] = word(`enum.accountRole.${params[k]}`, params[k]);
  if (typeof params.roles === 'string') out.roles = params.roles.split(',').map((r) => word(`enum.accountRole.${r}`, r)).join(t('error.and'));
  if (typeof params.permissions === 'string') out.permissions = params.permissions.split(',').filter(Boolean).map((p) => word(`error.permissions.${p}`, p)).join('、');
  return out;
}

/**
 * A refusal worded in the reader's language from its code and parameters. In English the server's
 * own sentence is the fallback; in Chinese never: a refusal the console has no words for is named
 * by its code's general meaning.
 */
export function errorText(t: T, e: ApiError): string {
  const p = e.params;
  if (p.rule === 'policy' && typeof p.action === 'string' && typeof p.subject === 'string' && i18next.exists(`error.subjects.${p.subject}`) && i18next.exists(`error.actions.${p.action}`)) {
    const noun = t(`error.subjects.${p.subject}`);
    const action = t(`error.actions.${p.action}`);
    const subject = p.id !== undefined ? t('error.subjectWithId', { subject: noun, id: p.id }) : t('error.thisSubject', { subject: noun });
    const needs = i18next.exists(`error.needs.${p.action}`) ? t(`error.needs.${p.action}`) : '';
    return t('error.refusal.policy', { action, subject }) + (needs ? t('error.refusal.needs', { needs }) : '');
  }
  if (p.rule === 'permission' && typeof p.permission === 'string' && i18next.exists(`error.permissions.${p.permission}`)) {
    return t('error.refusal.permission', { permission: t(`error.permissions.${p.permission}`), code: p.permission });
  }
  if (typeof p.reason === 'string' && i18next.exists(`error.reasons.${p.reason}`)) return t(`error.reasons.${p.reason}`, paramWords(t, p));
  if (!chinese()) return e.message;
  return i18next.exists(`error.codes.${e.code}`) ? t(`error.codes.${e.code}`) : t('error.codes.unknown', { code: e.code });
}

/** Any failure in the reader's language: an API error by its code, anything else by its message. */
export function messageOf(t: T, err: unknown): string {
  return err instanceof ApiError ? errorText(t, err) : ((err as Error)?.message ?? String(err));
}

export function useErrorReporter() {
  const { notification } = useFeedback();
  const { t } = useTranslation();
  return useCallback(
    (err: unknown, form?: FormInstance) => {
      const e = err instanceof ApiError ? err : new ApiError(0, 'CLIENT', (err as Error)?.message ?? String(err));
      // A place category is named, not shown by its id: its names come once from the server.
      if (typeof e.params.category === 'string' && placeCategoryName(e.params.category, false) === undefined) {
        void loadPlaceCategoryNames().finally(() => show(e, form));
        return;
      }
      show(e, form);
    },
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [notification, t],
  );

  function show(e: ApiError, form?: FormInstance) {
    if (form) {
      const byField = new Map<string, string[]>();
      for (const d of e.details) {
        const f = formFieldOf(d.path);
        if (!f) continue;
        // A refusal's articles go on the field too, unless the words shown already name them.
        const shown = detailText(t, d);
        const missing = e.articles.filter((a) => !shown.includes(a));
        const suffix = missing.length ? ` (${missing.join(', ')})` : '';
        byField.set(f, [...(byField.get(f) ?? []), `${shown}${suffix}`]);
      }
      form.setFields([...byField].map(([name, errors]) => ({ name, errors })));
    }
    notification.error({
      key: `api-error-${e.code}`,
      message: t('error.title', { code: e.code }),
      description: (
        <div data-testid="error-notification">
          <div title={e.message} data-testid="error-text">{errorText(t, e)}</div>
          <ErrorDetails details={e.details} />
          <ArticleTags articles={e.articles} label />
          {e.correlationId && <div><Typography.Text type="secondary">{t('error.correlation')}: {e.correlationId}</Typography.Text></div>}
        </div>
      ),
      duration: 10,
    });
  }
}
