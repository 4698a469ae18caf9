// Access rules read as sentences (after Outline): `allow('view-live', 'Camera', (actor, camera) =>
// actor.can('live:view', camera.paths))`. A use case starts with `authorize(actor, action,
// subject)`; anything no rule allows is refused, so a forgotten rule fails closed.
import { Errors, type VigilError } from '../errors.js';
import type { Actor } from './actor.js';
import { policyRefusalText } from './refusal-words.js';

export interface CameraSubject {
  kind: 'Camera';
  id: number;
  /** The region's path and the paths of the units that own, use, manage or maintain it. */
  paths: string[];
}
export interface OrganisationSubject {
  kind: 'Organisation';
  id: number | null;
  /** Path of the organisation, '' for the platform as a whole. */
  path: string;
}
export interface UserSubject {
  kind: 'User';
  id: number;
  /** Path of the user's organisation ('' for none). */
  path: string;
}
export interface AccessRequestSubject {
  kind: 'AccessRequest';
  id: number;
  requesterId: number;
  officerIds: number[];
  /** Path of the custodian organisation. */
  custodianPath: string;
}
/** The platform as a whole: catalogue data that every signed-in person may read. */
export interface PlatformSubject {
  kind: 'Platform';
}

export type Subject = CameraSubject | OrganisationSubject | UserSubject | AccessRequestSubject | PlatformSubject;
type SubjectOf<K extends Subject['kind']> = Extract<Subject, { kind: K }>;

type Rule<S> = (actor: Actor, subject: S) => boolean;

const rules = new Map<string, Rule<Subject>[]>();
const key = (action: string, kind: string) => `${kind}:${action}`;

/** Declares that actors may do `action` to subjects of `kind` when `rule` holds. */
export function allow<K extends Subject['kind']>(action: string, kind: K, rule: Rule<SubjectOf<K>>): void {
  const k = key(action, kind);
  rules.set(k, [...(rules.get(k) ?? []), rule as Rule<Subject>]);
}

export function can(actor: Actor | null, action: string, subject: Subject): boolean {
  if (!actor) return false;
  return (rules.get(key(action, subject.kind)) ?? []).some((r) => r(actor, subject));
}

/** Throws FORBIDDEN unless a rule allows it (UNAUTHENTICATED when nobody is signed in). */
export function authorize(actor: Actor | null, action: string, subject: Subject): asserts actor is Actor {
  if (!actor) throw Errors.unauthenticated();
  if (!can(actor, action, subject)) throw refusal(action, subject);
}

export function refusal(action: string, subject: Subject): VigilError {
  const id = 'id' in subject ? subject.id : null;
  return Errors.forbidden(policyRefusalText(action, subject.kind, id)).withParams({ rule: 'policy', action, subject: subject.kind, ...(id !== null ? { id } : {}) });
}

/** Every declared (kind, action), for documentation and the authorisation matrix test. */
export function declaredRules(): string[] {
  return [...rules.keys()].sort();
}
