import { createPermission } from '@backstage/plugin-permission-common';

/** Ask for an exposure (create a request, or a dry run of one). */
export const exposureRequestCreatePermission = createPermission({
  name: 'exposure.request.create',
  attributes: { action: 'create' },
});

/** See segments, pools, requests and the allocation inventory. */
export const exposureReadPermission = createPermission({
  name: 'exposure.read',
  attributes: { action: 'read' },
});

/** Approve or reject someone else's request. */
export const exposureRequestApprovePermission = createPermission({
  name: 'exposure.request.approve',
  attributes: { action: 'update' },
});

/** Release any request's address, not only those of one's own groups. */
export const exposureReleaseAnyPermission = createPermission({
  name: 'exposure.request.release.any',
  attributes: { action: 'delete' },
});

/** Manage pools and export the pool table. */
export const exposurePoolManagePermission = createPermission({
  name: 'exposure.pool.manage',
  attributes: { action: 'update' },
});

/** Read the audit log and verify its chain. */
export const exposureAuditReadPermission = createPermission({
  name: 'exposure.audit.read',
  attributes: { action: 'read' },
});

/** Every exposure permission, for registration with the permission service. */
export const exposurePermissions = [
  exposureRequestCreatePermission,
  exposureReadPermission,
  exposureRequestApprovePermission,
  exposureReleaseAnyPermission,
  exposurePoolManagePermission,
  exposureAuditReadPermission,
];

/** Permissions only platform admins hold. */
export const exposureAdminPermissions = [
  exposureRequestApprovePermission,
  exposureReleaseAnyPermission,
  exposurePoolManagePermission,
  exposureAuditReadPermission,
];
