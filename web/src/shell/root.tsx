import { App as AntApp, ConfigProvider, Spin } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { ChangePasswordPage } from '../session/change-password-page';
import { EnrolPage } from '../session/enrol-page';
import { SessionProvider, useSession } from '../session/session';
import { SignInPage } from '../session/sign-in-page';
import { Shell } from './shell';
import { usePath } from './router';
import { cspNonce } from './csp-nonce';

// CN-25: anyone may complain about the supervisors, so this one page needs no sign-in.
const ComplaintPage = lazy(() => import('../pages/complaint/complaint-page'));

/** Nothing but the sign-in page is shown until the server says who is signed in. */
function Gate() {
  const { state } = useSession();
  const path = usePath();
  if (path === '/complaint') return <Suspense fallback={<Spin />}><ComplaintPage /></Suspense>;
  if (state.status === 'loading') return <Spin style={{ display: 'block', marginTop: 120 }} />;
  if (state.status === 'signed-out') return <SignInPage />;
  if (state.status === 'password') return <ChangePasswordPage />;
  if (state.status === 'enrol') return <EnrolPage />;
  return <Shell />;
}

const CSP = cspNonce() ? { nonce: cspNonce() } : undefined;

/** antd's own texts (pagination, empty tables, pickers) follow the console's language. */
export function Root() {
  const { i18n } = useTranslation();
  const en = i18n.language === 'en';
  return (
    <ConfigProvider locale={en ? enUS : zhCN} theme={{ token: { colorPrimary: '#1d4e89' } }} csp={CSP}>
      {/* Bottom right: errors must not cover a drawer's own buttons at the top. */}
      <AntApp notification={{ placement: 'bottomRight' }}>
        <SessionProvider>
          <Gate />
        </SessionProvider>
      </AntApp>
    </ConfigProvider>
  );
}
