// Releases (tag "releases", 公开发布): the masked clips made under release requests, their review and
// approval; shapes named from the generated API types.
import { buildUrl, request } from '../../api/client';
import { type BodyOf, type ResponseOf } from '../../api/schema.js';

export type Release = ResponseOf<'/api/v1/releases/{id}', 'get'>;
export type ReleaseState = Release['state'];
export type ManualRegion = Release['manual'][number];
export type MaskStyle = Release['style'];
export const MASK_STYLES: MaskStyle[] = ['solid', 'pixelate', 'blur'];

export const releasesApi = {
  ofRequest: (requestId: number) => request<Release[]>('GET', `/access-requests/${requestId}/releases`),
  start: (input: BodyOf<'/api/v1/releases', 'post'>) => request<Release>('POST', '/releases', { json: input }),
  get: (id: number) => request<Release>('GET', `/releases/${id}`),
  review: (id: number, body: BodyOf<'/api/v1/releases/{id}/review', 'put'>) => request<Release>('PUT', `/releases/${id}/review`, { json: body }),
  approve: (id: number) => request<Release>('POST', `/releases/${id}/approve`),
  cancel: (id: number) => request<Release>('DELETE', `/releases/${id}`),
  clipToken: (id: number) => request<ResponseOf<'/api/v1/releases/{id}/clip-token', 'post'>>('POST', `/releases/${id}/clip-token`),
  /** Plain links: the browser takes the file with the session cookie (registered as handed out). */
  fileUrl: (id: number) => buildUrl(`/releases/${id}/file`),
  manifestUrl: (id: number) => buildUrl(`/releases/${id}/manifest`),
};
