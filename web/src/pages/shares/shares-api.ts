// Shares (共享, tag "shares"), their shapes named from the generated API types.
import { request } from '../../api/client';
import { every, type BodyOf, type QueryOf, type ResponseOf } from '../../api/schema.js';

export type Share = ResponseOf<'/api/v1/shares/{id}', 'get'>;
export type ShareInput = BodyOf<'/api/v1/shares', 'post'>;
export type ShareState = Share['state'];
export type ShareRight = Share['rights'][number];
export type RecipientKind = Share['recipientKind'];
export const SHARE_STATES = every<ShareState>()(['pending', 'active', 'expired', 'revoked']);
export const SHARE_RIGHTS = every<ShareRight>()(['catalog', 'live', 'playback', 'download', 'ptz']);
export const RECIPIENT_KINDS = every<RecipientKind>()(['platform', 'organisation', 'api_client']);

export const sharesApi = {
  list: (query: QueryOf<'/api/v1/shares', 'get'> = {}) => request<ResponseOf<'/api/v1/shares', 'get'>>('GET', '/shares', { query }),
  grant: (input: ShareInput) => request<Share>('POST', '/shares', { json: input }),
  revoke: (id: number, reason: string) => request<Share>('POST', `/shares/${id}/revoke`, { json: { reason } }),
};
