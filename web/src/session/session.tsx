// Who is signed in. The console asks /auth/me once at start; a 401 from any later request means
// the session ended (expired, idle, revoked, signed out elsewhere) and takes the operator back to
// the sign-in page with a note saying why.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { accessApi, type Me } from '../api/access';
import { ApiError, setCsrfToken, setSessionLostHandler } from '../api/client';
import { firstMe, noteSignedIn } from './start';

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out'; reason?: 'expired' | 'signed-out' }
  | { status: 'password'; me: Me }
  | { status: 'enrol'; me: Me }
  | { status: 'signed-in'; me: Me };

interface SessionApi {
  state: SessionState;
  /** Takes the answer of a successful sign-in (or /auth/me). */
  accept(me: Me): void;
  refresh(): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionApi | null>(null);

function stateOf(me: Me): SessionState {
  if (me.stage === 'password') return { status: 'password', me };
  return me.stage === 'enrol' ? { status: 'enrol', me } : { status: 'signed-in', me };
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  const accept = useCallback((me: Me) => {
    setCsrfToken(me.csrfToken);
    setState(stateOf(me));
  }, []);

  const refresh = useCallback(async () => {
    try {
      accept(await accessApi.auth.me());
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return; // the lost-session handler has set the state
      throw e;
    }
  }, [accept]);

  useEffect(() => {
    setSessionLostHandler(() => {
      setCsrfToken(null);
      // The first /auth/me of a page load finding no session is not an expiry.
      setState((s) => (s.status === 'signed-out' ? s : { status: 'signed-out', reason: s.status === 'loading' ? undefined : 'expired' }));
    });
    // Asked before the first render (start.ts): a 401 there came before this handler was set.
    firstMe().then(accept, () => setState((s) => (s.status === 'loading' ? { status: 'signed-out' } : s)));
    return () => setSessionLostHandler(null);
  }, [accept]);
  useEffect(() => {
    if (state.status !== 'loading') noteSignedIn(state.status === 'signed-in');
  }, [state.status]);

  const signOut = useCallback(async () => {
    try {
      await accessApi.auth.logout();
    } finally {
      setCsrfToken(null);
      setState({ status: 'signed-out', reason: 'signed-out' });
    }
  }, []);

  const value = useMemo(() => ({ state, accept, refresh, signOut }), [state, accept, refresh, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The signed-in person; only for components under the signed-in shell. */
export function useMe(): Me {
  const { state } = useSession();
  if (state.status !== 'signed-in' && state.status !== 'enrol' && state.status !== 'password') throw new Error('useMe without a session');
  return state.me;
}

export function holds(me: Me, ...permissions: string[]): boolean {
  return permissions.some((p) => me.permissions.includes(p));
}
