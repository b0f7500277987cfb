import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  exposureReleaseAnyPermission,
  ExposureRequest,
  normalizeGroupRef,
} from '@portico/plugin-exposure-common';
import useAsync from 'react-use/esm/useAsync';

/**
 * Mirrors the backend's rule so the button only shows where it would work:
 * members of the owning group, and holders of `exposure.request.release.any`,
 * may release an active exposure. The backend checks again.
 */
export function useReleasePermission(): (request: ExposureRequest) => boolean {
  const identityApi = useApi(identityApiRef);
  const releaseAny = usePermission({
    permission: exposureReleaseAnyPermission,
  });
  const identity = useAsync(
    () => identityApi.getBackstageIdentity(),
    [identityApi],
  );
  const owned = new Set(identity.value?.ownershipEntityRefs ?? []);
  return request =>
    request.state === 'active' &&
    (releaseAny.allowed || owned.has(normalizeGroupRef(request.owner)));
}
