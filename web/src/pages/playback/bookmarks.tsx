// Bookmarks on footage: an instant of a camera marked with a note from the playback clock, drawn
// on the timeline as a flag and a click away. Kept per person in this browser (not yet shared
// through the server: a bookmark names no footage outside what its maker may already play).
import { Button, Input, Popover, Space } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

export interface Bookmark {
  cameraId: number;
  at: number;
  note: string;
}

const keyOf = (userId: number) => `vigil.bookmarks.${userId}`;

export function useBookmarks(userId: number) {
  const [list, setList] = useState<Bookmark[]>(() => {
    try {
      const v = JSON.parse(localStorage.getItem(keyOf(userId)) ?? '[]') as Bookmark[];
      return Array.isArray(v) ? v.filter((b) => typeof b.at === 'number' && typeof b.cameraId === 'number') : [];
    } catch {
      return [];
    }
  });
  useEffect(() => localStorage.setItem(keyOf(userId), JSON.stringify(list)), [userId, list]);
  return {
    list,
    add: (b: Bookmark) => setList((l) => [...l, b].sort((x, y) => x.at - y.at)),
    remove: (b: Bookmark) => setList((l) => l.filter((x) => x !== b)),
  };
}

/** "Bookmark here": a note for the instant the clock shows, on every camera on screen. */
export function AddBookmark({ cursor, cameraIds, onAdd }: { cursor: number | null; cameraIds: number[]; onAdd(b: Bookmark): void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const save = () => {
    if (cursor === null) return;
    for (const cameraId of cameraIds) onAdd({ cameraId, at: Math.round(cursor), note: note.trim() });
    setNote('');
    setOpen(false);
  };
  return (
    <Popover
      open={open}
      onOpenChange={setOpen}
      trigger="click"
      content={
        <Space>
          <Input autoFocus value={note} onChange={(e) => setNote(e.target.value)} onPressEnter={save} placeholder={t('playback.bookmarkNote')} maxLength={100} data-testid="bookmark-note" />
          <Button type="primary" onClick={save} data-testid="bookmark-save">{t('common.save')}</Button>
        </Space>
      }
    >
      <Button disabled={cursor === null || !cameraIds.length} data-testid="playback-bookmark">{t('playback.bookmark')}</Button>
    </Popover>
  );
}
