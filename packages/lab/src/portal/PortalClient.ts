import { LabSigningKey } from './userTokens';

/** The lab's demo people (catalog/org.yaml) and the groups they belong to. */
export const LAB_USERS = {
  /** A member of team-payments, which owns edge-api. */
  alice: { ref: 'user:default/alice', groups: ['group:default/team-payments'] },
  /** A member of the platform team, who approves requests. */
  pat: { ref: 'user:default/pat', groups: ['group:default/platform-team'] },
} as const;

export type LabUser = keyof typeof LAB_USERS;

export class PortalError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Calls the portal's REST APIs as one of the demo users. */
export class PortalClient {
  constructor(
    private readonly backendUrl: string,
    private readonly key: LabSigningKey,
    private readonly user: LabUser,
  ) {}

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const { ref, groups } = LAB_USERS[this.user];
    const token = await this.key.userToken({
      issuer: `${this.backendUrl}/api/auth`,
      userEntityRef: ref,
      ownershipEntityRefs: [ref, ...groups],
    });
    const res = await fetch(`${this.backendUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) {
      throw new PortalError(
        res.status,
        `${method} ${path} as ${this.user}: ${res.status} ${text.slice(
          0,
          2000,
        )}`,
      );
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.call<T>('POST', path, body);
  }
}
