import { useCallback, useEffect, useRef, useState } from 'react';
import { gql } from '../api/client';

export interface QueryState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => Promise<T | undefined>;
}

/** Runs a query when `key` changes; the latest answer wins (earlier ones are aborted). */
export function useQuery<T, V>(query: string, variables: V, key: string, skip = false): QueryState<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(!skip);
  const varsRef = useRef(variables);
  varsRef.current = variables;
  const ctrl = useRef<AbortController | null>(null);

  const run = useCallback(async () => {
    ctrl.current?.abort();
    const c = new AbortController();
    ctrl.current = c;
    setLoading(true);
    try {
      const d = await gql<T, V>(query, varsRef.current, c.signal);
      if (c.signal.aborted) return undefined;
      setData(d);
      setError(undefined);
      return d;
    } catch (e) {
      if (c.signal.aborted || (e instanceof DOMException && e.name === 'AbortError')) return undefined;
      setError(e);
      return undefined;
    } finally {
      if (!c.signal.aborted) setLoading(false);
    }
  }, [query]);

  useEffect(() => {
    if (skip) return;
    void run();
    return () => ctrl.current?.abort();
  }, [run, key, skip]);

  return { data, error, loading, reload: run };
}
