// Names for the shapes in the generated API types (./generated/openapi.d.ts, written by
// scripts/api-types.ts from the server's OpenAPI document). Pages alias these instead of
// restating the server's types by hand, so a changed route schema breaks the console's build.
import type { paths } from './generated/openapi.js';

type Json<T> = T extends { content: { 'application/json': infer B } } ? B : never;

/** The JSON body an operation answers with, for the given status (200 unless said). */
export type ResponseOf<P extends keyof paths, M extends keyof paths[P], S extends number = 200> = paths[P][M] extends {
  responses: infer R;
}
  ? S extends keyof R
    ? Json<R[S]>
    : never
  : never;

/** The JSON body an operation accepts. */
export type BodyOf<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { requestBody?: infer B }
  ? Json<NonNullable<B>>
  : never;

/** An operation's query parameters. */
export type QueryOf<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  parameters: { query?: infer Q };
}
  ? NonNullable<Q>
  : never;

/** Every member of a union, in the order given: a missing or unknown member is a type error. */
export const every =
  <T extends string>() =>
  <const A extends readonly T[]>(members: A & ([T] extends [A[number]] ? unknown : 'a member of the union is missing')): A =>
    members;
