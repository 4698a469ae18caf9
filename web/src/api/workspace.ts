// One's own bookmarks on footage, the wall on screen and saved wall views (tags "bookmarks", "wall views"), kept on
// the server so they follow the person to any desk.
import { request } from './client';
import type { BodyOf, ResponseOf } from './schema.js';

export type Bookmark = ResponseOf<'/api/v1/bookmarks', 'post', 201>;
export type WallView = ResponseOf<'/api/v1/wall-views', 'put'>;
export type CurrentWall = ResponseOf<'/api/v1/wall', 'get'>;

export const workspaceApi = {
  bookmarks: {
    list: (q: { cameraIds?: number[]; from?: number; to?: number }, signal?: AbortSignal) =>
      request<Bookmark[]>('GET', '/bookmarks', { query: { cameraIds: q.cameraIds?.join(','), from: q.from, to: q.to }, signal }),
    add: (b: BodyOf<'/api/v1/bookmarks', 'post'>) => request<Bookmark>('POST', '/bookmarks', { json: b }),
    remove: (id: number) => request<null>('DELETE', `/bookmarks/${id}`),
  },
  /** The wall as one last left it, on any browser. */
  wall: {
    get: (signal?: AbortSignal) => request<CurrentWall>('GET', '/wall', { signal }),
    keep: (w: BodyOf<'/api/v1/wall', 'put'>, keepalive = false) => request<CurrentWall>('PUT', '/wall', { json: w, keepalive }),
  },
  wallViews: {
    list: (signal?: AbortSignal) => request<WallView[]>('GET', '/wall-views', { signal }),
    save: (v: BodyOf<'/api/v1/wall-views', 'put'>) => request<WallView>('PUT', '/wall-views', { json: v }),
    remove: (id: number) => request<null>('DELETE', `/wall-views/${id}`),
  },
};
