// When a console page counts as loaded, for bench:console and its profiler: the shell's menu and
// a card or table in the content area, with nothing of the page's own still loading.
export const READY = `(() => {
  const content = document.querySelector('.ant-layout-content');
  return !!document.querySelector('[data-testid="side-menu"]') && !!content && !!content.querySelector('.ant-card, .ant-table, .ant-tree, .ant-empty')
    && !document.querySelector('.ant-spin-spinning, .ant-skeleton-active, .ant-card-loading-content');
})()`;
