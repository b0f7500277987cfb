import { ReactNode } from 'react';
import { SWRConfig } from 'swr';

/**
 * usePermission caches answers in SWR's global cache; a fresh cache per render
 * keeps one test's permission decision from leaking into the next.
 */
export function FreshPermissionCache(props: { children: ReactNode }) {
  return (
    <SWRConfig value={{ provider: () => new Map() }}>
      {props.children}
    </SWRConfig>
  );
}
