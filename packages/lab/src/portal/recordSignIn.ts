import Database from 'better-sqlite3';
import { join } from 'node:path';
import { LAB_USERS, LabUser } from './PortalClient';

/**
 * Records a demo user's sign-in in the auth backend's database, as its sign-in
 * resolver does (`user_info`: the token claims, with the ownership refs `ent`).
 * Backends asked on a user's behalf (the permission backend, through
 * `/api/auth/v1/userinfo`) look the user's groups up there; the lab signs its
 * demo users in with its own key (userTokens.ts), so it writes this row itself.
 * Needs the auth backend's migrations, i.e. a started portal.
 */
export function recordSignIn(sqliteDir: string, user: LabUser): void {
  const { ref, groups } = LAB_USERS[user];
  const db = new Database(join(sqliteDir, 'auth.sqlite'), { timeout: 5000 });
  try {
    db.prepare(
      `INSERT INTO user_info (user_entity_ref, user_info, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (user_entity_ref) DO UPDATE SET user_info = excluded.user_info, updated_at = excluded.updated_at`,
    ).run(
      ref,
      JSON.stringify({ claims: { sub: ref, ent: [ref, ...groups] } }),
      new Date().toISOString().replace('T', ' ').replace('Z', ''),
    );
  } finally {
    db.close();
  }
}
