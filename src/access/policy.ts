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
  /** Paths of the requester's own organisations (where the requester-side approval is held). */
  requesterPaths: string[];
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
  if (!can(actor, action, subject)) throw refusal(action, subject, actor);
}

/**
 * The refusal of `action` on `subject`. About something the actor may not even see (`see`), it
 * is the very answer a nonexistent one gets — 404 and the same words — so that nobody learns
 * what exists outside their scope (issue 14); it is still registered like any refusal.
 */
export function refusal(action: string, subject: Subject, actor?: Actor, hideAs?: string): VigilError {
  const noun = NOUNS[subject.kind];
  if (actor && 'id' in subject && subject.id !== null && (noun || hideAs) && !can(actor, 'see', subject)) {
    return hiddenRefusal(hideAs ?? `${noun} ${subject.id} does not exist`);
  }
  const id = 'id' in subject ? subject.id : null;
  return Errors.forbidden(policyRefusalText(action, subject.kind, id)).withParams({ rule: 'policy', action, subject: subject.kind, ...(id !== null ? { id } : {}) });
}

/** Kinds whose refusals hide what one may not see, with the noun their "does not exist" uses. */
const NOUNS: Partial<Record<Subject['kind'], string>> = { Camera: 'camera', User: 'user' };

const HIDDEN = Symbol('vigil.hidden-refusal');

/** A refusal answered as NOT_FOUND; the API's safety net still registers it. */
export function hiddenRefusal(message: string): VigilError {
  const e = Errors.notFound(message);
  (e as unknown as Record<symbol, boolean>)[HIDDEN] = true;
  return e;
}

export function isHiddenRefusal(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as Record<symbol, boolean>)[HIDDEN] === true;
}

/** Every declared (kind, action), for documentation and the authorisation matrix test. */
export function declaredRules(): string[] {
  return [...rules.keys()].sort();
}
