// antd's DatePicker and RangePicker, fetched when a page first shows one instead of with the
// page's script: the picker, its panels and dayjs's parsing are about 110 kB that held back the
// first paint of every page with a date field (a filter bar, a form), though the field is
// only opened later, if at all. Until the picker is here its place is kept, so nothing moves.
import type { DatePickerProps as DateProps } from 'antd';
import type { RangePickerProps as RangeProps } from 'antd/es/date-picker';
import { lazy, Suspense, type ComponentType, type CSSProperties } from 'react';

const picker = () => import('antd/es/date-picker');
// antd's picker is generic over its value; the console's values are dayjs (DateProps, RangeProps).
const LazyDate = lazy(() => picker().then((m) => ({ default: m.default as ComponentType<DateProps> })));
const LazyRange = lazy(() => picker().then((m) => ({ default: m.default.RangePicker as ComponentType<RangeProps> })));

function placeholder(style: CSSProperties | undefined, width: number) {
  return <span style={{ display: 'inline-block', height: 32, verticalAlign: 'middle', width: style?.width ?? width }} aria-busy="true" />;
}

function DatePicker(props: DateProps) {
  return (
    <Suspense fallback={placeholder(props.style, 190)}>
      <LazyDate {...props} />
    </Suspense>
  );
}

function RangePicker(props: RangeProps) {
  return (
    <Suspense fallback={placeholder(props.style, 370)}>
      <LazyRange {...props} />
    </Suspense>
  );
}

/** Used as antd's: `<DatePicker …/>`, `<DatePicker.RangePicker …/>`. */
const LazyDatePicker = Object.assign(DatePicker, { RangePicker });
export { LazyDatePicker as DatePicker };
