// Shows an API error in full: its message, each field problem, and the articles behind a
// refusal. Field problems that name a field of the open form are also put on that field.
import { App, Typography } from 'antd';
import type { FormInstance } from 'antd';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, type ErrorDetail } from '../api/client';
import { ArticleTags } from './articles';

/** "body.gbId" → "gbId"; "gbId" → "gbId"; "line 3: gbId" → undefined (not a form field). */
export function formFieldOf(path: string | undefined): string | undefined {
  if (!path) return undefined;
  const parts = path.split('.');
  if (parts[0] === 'body') parts.shift();
  const name = parts[0];
  return name && /^[A-Za-z][A-Za-z0-9]*$/.test(name) ? name : undefined;
}

export function ErrorDetails({ details }: { details: readonly ErrorDetail[] }) {
  if (!details.length) return null;
  return (
    <ul style={{ margin: '4px 0', paddingInlineStart: 18 }} data-testid="error-details">
      {details.map((d, i) => (
        <li key={i}>
          {d.path ? <Typography.Text code>{d.path}</Typography.Text> : null} {d.message}
        </li>
      ))}
    </ul>
  );
}

type T = (key: string, options?: Record<string, unknown>) => string;

/**
 * A refusal worded in the reader's language from its codes (the English message is the fallback,
 * and what shows when the console knows no words for them).
 */
export function errorText(t: T, e: ApiError): string {
  const p = e.params;
  if (p.rule === 'policy' && typeof p.action === 'string' && typeof p.subject === 'string') {
    const noun = t(`error.subjects.${p.subject}`, { defaultValue: '' });
    const action = t(`error.actions.${p.action}`, { defaultValue: '' });
    if (!noun || !action) return e.message;
    const subject = p.id !== undefined ? t('error.subjectWithId', { subject: noun, id: p.id }) : t('error.thisSubject', { subject: noun });
    const needs = t(`error.needs.${p.action}`, { defaultValue: '' });
    return t('error.refusal.policy', { action, subject, defaultValue: e.message }) + (needs ? t('error.refusal.needs', { needs }) : '');
  }
  if (p.rule === 'permission' && typeof p.permission === 'string') {
    const permission = t(`error.permissions.${p.permission}`, { defaultValue: '' });
    return permission ? t('error.refusal.permission', { permission, code: p.permission }) : e.message;
  }
  return e.message;
}

export function useErrorReporter() {
  const { notification } = App.useApp();
  const { t } = useTranslation();
  return useCallback(
    (err: unknown, form?: FormInstance) => {
      const e = err instanceof ApiError ? err : new ApiError(0, 'CLIENT', (err as Error)?.message ?? String(err));
      if (form) {
        const byField = new Map<string, string[]>();
        for (const d of e.details) {
          const f = formFieldOf(d.path);
          if (!f) continue;
          // A refusal's articles go on the field too, unless its message already names them.
          const missing = e.articles.filter((a) => !d.message.includes(a));
          const suffix = missing.length ? ` (${missing.join(', ')})` : '';
          byField.set(f, [...(byField.get(f) ?? []), `${d.message}${suffix}`]);
        }
        form.setFields([...byField].map(([name, errors]) => ({ name, errors })));
      }
      notification.error({
        key: `api-error-${e.code}`,
        message: t('error.title', { code: e.code }),
        description: (
          <div data-testid="error-notification">
            <div>{errorText(t, e)}</div>
            <ErrorDetails details={e.details} />
            <ArticleTags articles={e.articles} label />
            {e.correlationId && <div><Typography.Text type="secondary">{t('error.correlation')}: {e.correlationId}</Typography.Text></div>}
          </div>
        ),
        duration: 10,
      });
    },
    [notification, t],
  );
}
