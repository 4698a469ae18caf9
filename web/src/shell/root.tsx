import { App as AntApp, ConfigProvider } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { useTranslation } from 'react-i18next';
import { Shell } from './shell';

/** antd's own texts (pagination, empty tables, pickers) follow the console's language. */
export function Root() {
  const { i18n } = useTranslation();
  const en = i18n.language === 'en';
  return (
    <ConfigProvider locale={en ? enUS : zhCN} theme={{ token: { colorPrimary: '#1d4e89' } }}>
      {/* Bottom right: errors must not cover a drawer's own buttons at the top. */}
      <AntApp notification={{ placement: 'bottomRight' }}>
        <Shell />
      </AntApp>
    </ConfigProvider>
  );
}
