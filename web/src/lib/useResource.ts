import { useCallback, useEffect, useState, type DependencyList } from 'react';
import { toApiError, type ApiError } from '../api/client';

export interface Resource<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
  /** Replace the data after a write that returned the fresh object. */
  setData: (data: T) => void;
}

/** Loads data when `deps` change; keeps the last data while reloading so pages do not flicker. */
export function useResource<T>(load: () => Promise<T>, deps: DependencyList): Resource<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    let live = true;
    setLoading(true);
    load().then(
      (value) => {
        if (!live) return;
        setData(value);
        setError(undefined);
        setLoading(false);
      },
      (err: unknown) => {
        if (!live) return;
        setError(toApiError(err));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [...deps, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const replace = useCallback((value: T) => {
    setData(value);
    setError(undefined);
  }, []);
  return { data, error, loading, reload, setData: replace };
}
