// Accounts, role grants and API tokens (tag "users and roles"), their shapes named from the
// generated API types like types.ts.
import { request } from './client';
import { every, type BodyOf, type ResponseOf } from './schema.js';

export type User = ResponseOf<'/api/v1/users/{id}', 'get'>;
export type UserGrant = User['grants'][number];
export type NewUser = BodyOf<'/api/v1/users', 'post'>;
export type UserPatch = BodyOf<'/api/v1/users/{id}', 'patch'>;
export type AccountRole = BodyOf<'/api/v1/users/{id}/grants', 'post'>['role'];
export type ApiToken = ResponseOf<'/api/v1/api-tokens', 'get'>['items'][number];
export type NewApiToken = BodyOf<'/api/v1/api-tokens', 'post'>;
export type Permission = NewApiToken['permissions'][number];

/** In the order a form offers them: the everyday roles first. */
export const ACCOUNT_ROLES = every<AccountRole>()([
  'duty_operator', 'investigator', 'approver', 'maintainer', 'unit_administrator', 'supervisor', 'auditor', 'system_administrator',
]);

export const usersApi = {
  list: () => request<{ items: User[] }>('GET', '/users'),
  get: (id: number) => request<User>('GET', `/users/${id}`),
  create: (input: NewUser) => request<ResponseOf<'/api/v1/users', 'post', 201>>('POST', '/users', { json: input }),
  update: (id: number, patch: UserPatch) => request<User>('PATCH', `/users/${id}`, { json: patch }),
  resetPassword: (id: number, password?: string) => request<{ password: string | null }>('POST', `/users/${id}/password`, { json: password ? { password } : {} }),
  grant: (id: number, role: AccountRole, organisationId: number | null) => request<User>('POST', `/users/${id}/grants`, { json: { role, organisationId } }),
  confirmGrant: (grantId: number) => request<User>('POST', `/role-grants/${grantId}/confirm`),
  revokeGrant: (grantId: number) => request<null>('DELETE', `/role-grants/${grantId}`),
  signOutEverywhere: (id: number) => request<{ revoked: number }>('POST', `/users/${id}/sessions/revoke`),
  tokens: {
    list: () => request<{ items: ApiToken[] }>('GET', '/api-tokens'),
    create: (input: NewApiToken) => request<ResponseOf<'/api/v1/api-tokens', 'post', 201>>('POST', '/api-tokens', { json: input }),
    revoke: (id: number) => request<null>('DELETE', `/api-tokens/${id}`),
  },
};
