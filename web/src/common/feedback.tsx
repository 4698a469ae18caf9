// The console's short messages and error notifications (antd's message and notification), made
// when the first one is shown, not before the first paint: antd's App component, which offered
// them through App.useApp(), brought message, notification, Modal and the form machinery into
// the entry script of every page (about 100 kB), though most page loads show none of them.
// A call before the holders are mounted waits for them; they are mounted inside the console's
// ConfigProvider (Root), so they have its theme and language.
import { lazy, Suspense, useEffect, useState } from 'react';
import type { MessageInstance } from 'antd/es/message/interface';
import type { NotificationInstance } from 'antd/es/notification/interface';

export interface FeedbackApis { message: MessageInstance; notification: NotificationInstance }

type Shown<T> = { [K in keyof T]: T[K] extends (...args: infer A) => unknown ? (...args: A) => void : never };
export type LazyMessage = Shown<Pick<MessageInstance, 'success' | 'error' | 'info' | 'warning' | 'loading'>>;
export type LazyNotification = Shown<Pick<NotificationInstance, 'success' | 'error' | 'info' | 'warning' | 'open'>>;

let apis: FeedbackApis | null = null;
const waiting: ((a: FeedbackApis) => void)[] = [];
let mountHolders: (() => void) | null = null;

function withApis(call: (a: FeedbackApis) => void): void {
  if (apis) return call(apis);
  waiting.push(call);
  mountHolders?.();
}

/** Set by the holders once mounted (and cleared when they go): the calls that waited are made now. */
export function holdersMounted(a: FeedbackApis | null): void {
  apis = a;
  if (a) for (const call of waiting.splice(0)) call(a);
}

const message: LazyMessage = {
  success: (...args) => withApis((a) => void a.message.success(...args)),
  error: (...args) => withApis((a) => void a.message.error(...args)),
  info: (...args) => withApis((a) => void a.message.info(...args)),
  warning: (...args) => withApis((a) => void a.message.warning(...args)),
  loading: (...args) => withApis((a) => void a.message.loading(...args)),
};

const notification: LazyNotification = {
  success: (...args) => withApis((a) => a.notification.success(...args)),
  error: (...args) => withApis((a) => a.notification.error(...args)),
  info: (...args) => withApis((a) => a.notification.info(...args)),
  warning: (...args) => withApis((a) => a.notification.warning(...args)),
  open: (...args) => withApis((a) => a.notification.open(...args)),
};

const FEEDBACK = { message, notification } as const;

/** What App.useApp() gave: message and notification, loaded at their first use. The same objects every render. */
export function useFeedback(): typeof FEEDBACK {
  return FEEDBACK;
}

const Holders = lazy(() => import('./feedback-holders'));

/** Where the holders go once something is shown: inside the ConfigProvider, once per page. */
export function FeedbackHost() {
  const [on, setOn] = useState(false);
  useEffect(() => {
    mountHolders = () => setOn(true);
    if (waiting.length) setOn(true);
    return () => {
      mountHolders = null;
    };
  }, []);
  return on ? (
    <Suspense fallback={null}>
      <Holders />
    </Suspense>
  ) : null;
}
