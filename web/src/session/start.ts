// What a page load starts before React renders, so the steps of a signed-in page overlap instead
// of following each other: who is signed in (/auth/me) is asked beside the language bundle, and
// the shell's and the page's bundles are fetched beside both when this browser was signed in last
// time (a hint kept in storage, no secret: a wrong guess costs only an unneeded download), and
// once each bundle is here the reads its first paint makes (api/client.ts askEarly).
import { accessApi, type Me } from '../api/access';
import { askEarly } from '../api/client';
import { preloadPage } from '../shell/nav';

const HINT = 'vigil.signedIn';
let first: Promise<Me> | null = null;

export function startSession(): void {
  first = accessApi.auth.me();
  first.catch(() => undefined);
  if (signedInLastTime()) {
    void import('../shell/shell').then((m) => askEarly(m.shellFirstReads), () => undefined);
    preloadPage(window.location.pathname);
  }
}

/** The answer of the /auth/me asked at start (the same one for every caller), or a new one. */
export function firstMe(): Promise<Me> {
  return (first ??= accessApi.auth.me());
}

function signedInLastTime(): boolean {
  try {
    return window.localStorage.getItem(HINT) === '1';
  } catch {
    return false;
  }
}

export function noteSignedIn(on: boolean): void {
  try {
    if (on) window.localStorage.setItem(HINT, '1');
    else window.localStorage.removeItem(HINT);
  } catch {
    // Private mode may refuse storage: only the head start is lost.
  }
}
