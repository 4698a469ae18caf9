import { Tooltip } from 'antd';
import { cloneElement, useState, type FocusEvent, type MouseEvent, type ReactElement, type ReactNode } from 'react';

type Trigger = ReactElement<{ onMouseEnter?: (e: MouseEvent) => void; onFocus?: (e: FocusEvent) => void }>;

/**
 * An antd Tooltip that is made only when the pointer or focus first reaches its element. A page
 * with a hundred article tags then renders a hundred tags, not a hundred tooltips with their
 * triggers, observers and motion (issue 20: page loads under 1 s); from the first hover on it is
 * antd's Tooltip, opened at once.
 */
export function LazyTooltip({ title, children }: { title: ReactNode; children: Trigger }) {
  const [made, setMade] = useState(false);
  if (made) return <Tooltip title={title} defaultOpen>{children}</Tooltip>;
  return cloneElement(children, {
    onMouseEnter: (e: MouseEvent) => {
      children.props.onMouseEnter?.(e);
      setMade(true);
    },
    onFocus: (e: FocusEvent) => {
      children.props.onFocus?.(e);
      setMade(true);
    },
  });
}
