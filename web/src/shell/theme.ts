import type { ThemeConfig } from 'antd';

/**
 * The console's antd theme. The build renders antd's styles with it (web/antd-styles.ts) and the
 * console's ConfigProvider is given the same one: the browser finds the prebuilt styles only for
 * exactly this theme.
 */
export const CONSOLE_THEME: ThemeConfig = { token: { colorPrimary: '#1d4e89' } };
