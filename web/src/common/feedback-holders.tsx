// antd's message and notification holders, loaded at the first message shown (common/feedback.tsx).
import { message, notification } from 'antd';
import { useEffect } from 'react';
import { holdersMounted } from './feedback';

export default function FeedbackHolders() {
  const [messageApi, messageHolder] = message.useMessage();
  // Bottom right: errors must not cover a drawer's own buttons at the top.
  const [notificationApi, notificationHolder] = notification.useNotification({ placement: 'bottomRight' });
  useEffect(() => {
    holdersMounted({ message: messageApi, notification: notificationApi });
    return () => holdersMounted(null);
  }, [messageApi, notificationApi]);
  return (
    <>
      {messageHolder}
      {notificationHolder}
    </>
  );
}
