import { createRouteRef } from '@backstage/core-plugin-api';

/** `/exposure/request`: the request form for app teams. */
export const requestRouteRef = createRouteRef({ id: 'exposure-request' });

/** `/exposure/admin`: pools, approvals, audit and segments for the platform team. */
export const adminRouteRef = createRouteRef({ id: 'exposure-admin' });
