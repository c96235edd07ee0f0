import { createContext, useContext } from 'react';
import type { MeQuery } from './generated/graphql';

export interface Session {
  me: MeQuery['me'];
  unread: number;
  refreshUnread: () => void;
  signOut: () => void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside the signed-in shell');
  return s;
}
