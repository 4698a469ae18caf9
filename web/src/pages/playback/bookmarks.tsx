// Bookmarks on footage: an instant of a camera marked with a note from the playback clock, drawn
// on the timeline as a flag and a click away. Kept on the server, each person's own
// (GET/POST/DELETE /bookmarks): they follow the operator to any desk and browser.
import { Button, Input, Popover, Space } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { workspaceApi, type Bookmark } from '../../api/workspace';
import { useAsync } from '../../common/use-async';
import { useErrorReporter } from '../../common/error-report';

export type { Bookmark };

/** One's bookmarks on the cameras shown, within the timeline's span. */
export function useBookmarks(cameraIds: number[], from: number, to: number) {
  const report = useErrorReporter();
  const key = cameraIds.join(',');
  const state = useAsync((signal) => (cameraIds.length ? workspaceApi.bookmarks.list({ cameraIds, from, to }, signal) : Promise.resolve([])), [key, from, to]);
  return {
    list: state.data ?? [],
    add: async (b: { cameraId: number; at: number; note: string }) => {
      await workspaceApi.bookmarks.add(b).catch(report);
      state.reload();
    },
    remove: async (b: Bookmark) => {
      await workspaceApi.bookmarks.remove(b.id).catch(report);
      state.reload();
    },
  };
}

/** "Bookmark here": a note for the instant the clock shows, on every camera on screen. */
export function AddBookmark({ cursor, cameraIds, onAdd }: { cursor: number | null; cameraIds: number[]; onAdd(b: { cameraId: number; at: number; note: string }): Promise<void> }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const save = async () => {
    if (cursor === null) return;
    const text = note.trim();
    setNote('');
    setOpen(false);
    for (const cameraId of cameraIds) await onAdd({ cameraId, at: Math.round(cursor), note: text });
  };
  return (
    <Popover
      open={open}
      onOpenChange={setOpen}
      trigger="click"
      content={
        <Space>
          <Input autoFocus value={note} onChange={(e) => setNote(e.target.value)} onPressEnter={() => void save()} placeholder={t('playback.bookmarkNote')} maxLength={100} data-testid="bookmark-note" />
          <Button type="primary" onClick={() => void save()} data-testid="bookmark-save">{t('common.save')}</Button>
        </Space>
      }
    >
      <Button disabled={cursor === null || !cameraIds.length} data-testid="playback-bookmark">{t('playback.bookmark')}</Button>
    </Popover>
  );
}
