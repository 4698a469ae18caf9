// The words a refusal uses: what was tried and what it needs, in terms a user knows, never the
// names of internal types ("AccessRequest 3") or of a gate that is not the real condition. The
// English text is the API's message; the codes travel as the error's params, and the console
// words them in Chinese and English from its own dictionaries.
import type { Permission } from './permissions.js';

/** What each policy action is, as "you may not …" continues. */
const ACTIONS: Record<string, string> = {
  change: 'change',
  'change-groups': 'change camera groups of',
  'confirm-as-officer': 'confirm as an officer',
  'control-ptz': 'steer',
  'create-in': 'create accounts in',
  'create-under': 'create organisations under',
  decide: 'approve or reject',
  edit: 'edit',
  'export-all': 'export every camera of',
  'grant-over': 'grant roles over',
  'grant-shares': 'share the cameras of',
  'read-shares': 'read the shares of',
  share: 'share',
  'import-cameras': 'import cameras into',
  list: 'see',
  manage: 'manage',
  'manage-system': 'manage the systems of',
  'play-back': 'play back footage of',
  read: 'read',
  'read-catalogue': 'read the catalogue of',
  'read-complaints': 'read the complaints about',
  'read-compliance': 'read the compliance report of',
  'read-confidential': 'see the confidential details of',
  'read-position': 'see on the map the position of',
  'read-coverage': 'read the coverage of',
  'read-groups': 'read camera groups of',
  'read-register': 'read the access register of',
  'read-register-about': 'read the access register about',
  'read-system': 'read the systems of',
  'record-acceptance': 'record the acceptance of systems of',
  remove: 'remove',
  'request-footage': 'request footage from',
  supervise: 'inspect or supervise',
  'view-live': 'watch live',
};

const SUBJECTS: Record<string, string> = {
  Camera: 'camera',
  Organisation: 'organisation',
  User: 'user account',
  AccessRequest: 'access request',
  Platform: 'the platform',
};

/** The condition each policy action asks for, as "… : this needs …" continues. */
const NEEDS: Record<string, string> = {
  decide: 'an approver role over the unit that holds the footage, and not being the requester',
  supervise: 'the police supervisor role over the unit',
  'view-live': 'the permission to watch live video over this camera',
  'play-back': 'the permission to play back footage of this camera',
  'control-ptz': 'the permission to steer this camera',
  'grant-shares': 'the permission to share cameras (share:grant) over this organisation',
  share: 'the permission to share cameras (share:grant) over this camera',
};

const PERMISSION_WORDS: Record<Permission, string> = {
  'basic-info:read': 'read the basic information of cameras',
  'basic-info:write': 'register and change cameras',
  'live:view': 'watch live video',
  'playback:view': 'play back footage',
  'footage:view': 'view footage under an access request',
  'footage:copy': 'copy footage',
  'footage:retrieve': 'retrieve footage',
  'ptz:control': 'steer cameras',
  'config:write': 'change the configuration',
  'audit:read': 'read the access register',
  'access-request:approve': 'approve access requests',
  'users:manage': 'manage user accounts',
  'share:grant': 'share cameras with other platforms and departments',
  'map:view': 'see on the map where the cameras one watches are',
};

/** "you may not approve or reject access request 3: this needs …". */
export function policyRefusalText(action: string, kind: string, id: number | null): string {
  const subject = kind === 'Platform' ? SUBJECTS.Platform! : id !== null ? `${SUBJECTS[kind] ?? 'item'} ${id}` : `this ${SUBJECTS[kind] ?? 'item'}`;
  const needs = NEEDS[action];
  return `you may not ${ACTIONS[action] ?? action} ${subject}${needs ? `: this needs ${needs}` : ''}`;
}

/** "this needs the permission to read the basic information of cameras (basic-info:read)". */
export function permissionRefusalText(permission: Permission): string {
  return `this needs the permission to ${PERMISSION_WORDS[permission]} (${permission})`;
}
