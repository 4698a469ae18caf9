import { ConfigProvider, Spin } from 'antd';
import { lazy, Suspense, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { antdLocaleOf } from '../i18n';
import { SessionProvider, useSession } from '../session/session';
import { usePath } from './router';
import { cspNonce } from './csp-nonce';
import { CONSOLE_THEME } from './theme';
import { FeedbackHost } from '../common/feedback';

// Each screen is a bundle of its own: the sign-in page does not fetch the shell's menu and
// header, and a signed-in page does not fetch the sign-in or enrolment forms.
// CN-25: anyone may complain about the supervisors, so this one page needs no sign-in.
const ComplaintPage = lazy(() => import('../pages/complaint/complaint-page'));
const SignInPage = lazy(() => import('../session/sign-in-page').then((m) => ({ default: m.SignInPage })));
const ChangePasswordPage = lazy(() => import('../session/change-password-page').then((m) => ({ default: m.ChangePasswordPage })));
const EnrolPage = lazy(() => import('../session/enrol-page').then((m) => ({ default: m.EnrolPage })));
const Shell = lazy(() => import('./shell').then((m) => ({ default: m.Shell })));

const waiting = <Spin style={{ display: 'block', marginTop: 120 }} />;
const screen = (node: ReactNode) => <Suspense fallback={waiting}>{node}</Suspense>;

/** Nothing but the sign-in page is shown until the server says who is signed in. */
function Gate() {
  const { state } = useSession();
  const path = usePath();
  if (path === '/complaint') return screen(<ComplaintPage />);
  if (state.status === 'loading') return waiting;
  if (state.status === 'signed-out') return screen(<SignInPage />);
  if (state.status === 'password') return screen(<ChangePasswordPage />);
  if (state.status === 'enrol') return screen(<EnrolPage />);
  return screen(<Shell />);
}

const CSP = cspNonce() ? { nonce: cspNonce() } : undefined;

/** antd's own texts (pagination, empty tables, pickers) follow the console's language. */
export function Root() {
  const { i18n } = useTranslation();
  return (
    <ConfigProvider locale={antdLocaleOf(i18n.language)} theme={CONSOLE_THEME} csp={CSP}>
      {/* Not antd's App: its message, notification and Modal would be in every page's first
          script. Messages load when first shown (common/feedback.tsx); App's text styles are the
          page's own (index.html). */}
      <SessionProvider>
        <Gate />
      </SessionProvider>
      <FeedbackHost />
    </ConfigProvider>
  );
}
