import { describe, expect, it, jest } from '@jest/globals';
import {
  ALICE,
  PAT,
  SAM,
  createTestService,
  requestBody,
  testDatabases,
} from '../__testUtils__/fixtures';

jest.setTimeout(60_000);

const databases = testDatabases();

describe.each(databases.eachSupportedId())(
  'ExposureService on %p',
  databaseId => {
    async function setup() {
      const knex = await databases.init(databaseId);
      return { knex, ...(await createTestService(knex)) };
    }

    it('keeps a production request pending until someone else approves it', async () => {
      const { service, store } = await setup();
      const pending = await service.createRequest(ALICE, requestBody());
      expect(pending).toMatchObject({
        state: 'pending',
        pool: 'prod-external',
      });
      expect(pending.address).toBeUndefined();
      expect(pending.reasons.map(r => r.code)).toEqual(['approval-required']);

      await expect(service.approve(ALICE, pending.id, 'mine')).rejects.toThrow(
        /nobody approves or rejects their own request/,
      );

      const active = await service.approve(PAT, pending.id, 'looks fine');
      expect(active).toMatchObject({
        state: 'active',
        address: '10.40.20.120',
        decidedBy: PAT,
        decisionComment: 'looks fine',
      });
      const allocations = await store.listAllocations({
        pool: 'prod-external',
      });
      expect(allocations).toEqual([
        expect.objectContaining({
          requestId: pending.id,
          address: '10.40.20.120',
          owner: 'group:default/team-payments',
          shared: false,
        }),
      ]);
      await expect(service.approve(PAT, pending.id, 'again')).rejects.toThrow(
        /is active and cannot become approved/,
      );
    });

    it('refuses to approve a request whose expiry has passed', async () => {
      const { service, clock } = await setup();
      const pending = await service.createRequest(
        ALICE,
        requestBody({ expiresAt: '2026-11-25T13:00:00.000Z' }),
      );
      clock.advance(2 * 3_600_000);
      await expect(service.approve(PAT, pending.id, '')).rejects.toThrow(
        /asked for an exposure until 2026-11-25T13:00:00.000Z, which has passed/,
      );
      const rejected = await service.reject(PAT, pending.id, 'too late');
      expect(rejected.state).toBe('rejected');
    });

    it('rejects a pending request, which then cannot be approved', async () => {
      const { service } = await setup();
      const pending = await service.createRequest(ALICE, requestBody());
      const rejected = await service.reject(PAT, pending.id, 'use internal');
      expect(rejected).toMatchObject({ state: 'rejected', decidedBy: PAT });
      await expect(service.approve(PAT, pending.id, '')).rejects.toThrow(
        /is rejected and cannot become approved/,
      );
    });

    it('activates an automatic pool at once with the lowest free address, skipping .0', async () => {
      const { service } = await setup();
      const body = requestBody({ pool: 'internal', ports: [{ port: 8080 }] });
      const first = await service.createRequest(ALICE, body);
      const second = await service.createRequest(ALICE, {
        ...body,
        serviceName: 'b',
      });
      expect([first.state, first.address]).toEqual(['active', '10.50.1.1']);
      expect(second.address).toBe('10.50.1.2');
    });

    it('allocates IPv6 from a /64, never the Subnet-Router anycast address', async () => {
      const { service } = await setup();
      const body = requestBody({
        owner: 'group:default/team-search',
        pool: 'v6-internal',
        ports: [{ port: 443 }],
      });
      const first = await service.createRequest(SAM, body);
      expect([first.state, first.address]).toEqual([
        'active',
        '2001:db8:40:20::1',
      ]);
      const wanted = await service.createRequest(SAM, {
        ...body,
        serviceName: 'b',
        address: '2001:DB8:40:20:0:0:0:FFFF',
      });
      expect(wanted.address).toBe('2001:db8:40:20::ffff');
      await expect(
        service.createRequest(SAM, {
          ...body,
          serviceName: 'c',
          address: '2001:db8:40:20::',
        }),
      ).rejects.toThrow(/Subnet-Router anycast address of its \/64/);
    });

    it('releases only for the owner group or release-any, and reuses the address', async () => {
      const { service } = await setup();
      const body = requestBody({ pool: 'internal', ports: [{ port: 8080 }] });
      const held = await service.createRequest(ALICE, body);
      await expect(
        service.release(SAM, held.id, '', {
          ownershipRefs: [SAM, 'group:default/team-search'],
          releaseAny: false,
        }),
      ).rejects.toThrow(
        /only members of group:default\/team-payments or platform admins/,
      );
      const released = await service.release(ALICE, held.id, 'done', {
        ownershipRefs: [ALICE, 'group:default/team-payments'],
        releaseAny: false,
      });
      expect(released).toMatchObject({ state: 'released', releasedBy: ALICE });
      await expect(
        service.release(PAT, held.id, '', {
          ownershipRefs: [],
          releaseAny: true,
        }),
      ).rejects.toThrow(/is released and cannot become released/);
      const again = await service.createRequest(ALICE, {
        ...body,
        serviceName: 'c',
      });
      expect(again.address).toBe(held.address);
    });

    it('shares an address within one owner only, never on a clashing port', async () => {
      const { service, store } = await setup();
      const first = await service.approve(
        PAT,
        (
          await service.createRequest(ALICE, requestBody())
        ).id,
        '',
      );
      const sharing = requestBody({
        serviceName: 'edge-api-http',
        address: first.address,
        ports: [{ port: 80 }],
      });
      const second = await service.approve(
        PAT,
        (
          await service.createRequest(ALICE, sharing)
        ).id,
        '',
      );
      expect(second.address).toBe(first.address);
      expect((await store.listAllocations({})).every(a => a.shared)).toBe(true);

      await expect(
        service.createRequest(
          ALICE,
          requestBody({ serviceName: 'edge-api-2', address: first.address }),
        ),
      ).rejects.toThrow(/already serves port 443\/TCP/);
      await expect(
        service.createRequest(
          SAM,
          requestBody({
            serviceName: 'search-api',
            owner: 'group:default/team-search',
            address: first.address,
            ports: [{ port: 8443 }],
          }),
        ),
      ).rejects.toThrow(/addresses are shared only within one owner/);
    });

    it('refuses a reserved address and reports an exhausted pool', async () => {
      const { service } = await setup();
      await expect(
        service.createRequest(
          ALICE,
          requestBody({ pool: 'internal', address: '10.50.1.255' }),
        ),
      ).rejects.toThrow(/ends in .0 or .255, which this pool skips/);
      const expiresAt = '2026-11-25T18:00:00.000Z';
      const scratch = requestBody({
        pool: 'scratch',
        expiresAt,
        ports: [{ port: 22 }],
      });
      for (let i = 0; i < 4; i++) {
        await service.createRequest(ALICE, {
          ...scratch,
          serviceName: `s${i}`,
        });
      }
      await expect(service.createRequest(ALICE, scratch)).rejects.toMatchObject(
        {
          name: 'ConflictError',
          message: 'pool "scratch" is exhausted: no free address left',
        },
      );
    });

    it('expires a temporary exposure and frees its address', async () => {
      const { service, store, clock } = await setup();
      const body = requestBody({
        pool: 'scratch',
        expiresAt: '2026-11-25T13:00:00.000Z',
        ports: [{ port: 22 }],
      });
      const held = await service.createRequest(ALICE, body);
      expect(await service.expireDue()).toBe(0);
      clock.advance(3_600_000);
      expect(await service.expireDue()).toBe(1);
      expect(await store.getRequest(held.id)).toMatchObject({
        state: 'expired',
        releasedBy: 'system:portico',
      });
      expect(await store.listAllocations({ pool: 'scratch' })).toEqual([]);
      const events = await store.listAuditEvents({
        subjectId: held.id,
        limit: 10,
      });
      expect(events[0]).toMatchObject({
        action: 'request.expired',
        actor: 'system:portico',
      });
      const next = await service.createRequest(ALICE, {
        ...body,
        expiresAt: '2026-11-25T14:00:00.000Z',
      });
      expect(next.address).toBe(held.address);
    });

    it('counts allocated, free and reserved addresses per pool', async () => {
      const { service } = await setup();
      await service.createRequest(ALICE, requestBody({ pool: 'internal' }));
      const pools = await service.listPools();
      const byName = Object.fromEntries(pools.map(p => [p.name, p.counts]));
      expect(byName.internal).toEqual({
        total: '256',
        allocated: '1',
        reserved: '2',
        free: '253',
      });
      expect(byName['v6-internal']).toEqual({
        total: '18446744073709551616',
        allocated: '0',
        reserved: '1',
        free: '18446744073709551615',
      });
    });

    it('chains every transition in the audit log and sends it to the auditor', async () => {
      const { service, store, auditor } = await setup();
      const req = await service.createRequest(ALICE, requestBody());
      await service.approve(PAT, req.id, 'ok');
      const events = await store.listAuditEvents({
        subjectId: req.id,
        limit: 10,
      });
      expect(events.map(e => [e.action, e.actor])).toEqual([
        ['request.active', 'system:portico'],
        ['request.approved', PAT],
        ['request.created', ALICE],
      ]);
      expect(events[0].prevHash).toBe(events[1].hash);
      expect(await store.verifyAuditChain()).toEqual({
        valid: true,
        checked: 3,
      });
      expect(auditor.createEvent).toHaveBeenCalledWith(
        expect.objectContaining({
          eventId: 'exposure-request',
          meta: expect.objectContaining({
            action: 'request.approved',
            actor: PAT,
          }),
        }),
      );
    });

    it('detects an edited and a deleted audit row', async () => {
      const { service, store, knex } = await setup();
      const body = requestBody({ pool: 'internal' });
      for (let i = 0; i < 3; i++) {
        await service.createRequest(ALICE, { ...body, serviceName: `svc${i}` });
      }
      expect(await store.verifyAuditChain()).toEqual({
        valid: true,
        checked: 9,
      });
      await knex('exposure_audit_events')
        .where({ seq: 4 })
        .update({ actor: 'user:default/eve' });
      expect(await store.verifyAuditChain()).toMatchObject({
        valid: false,
        brokenAt: 4,
        reason: 'event 4 was changed after it was written',
      });
      const original = await service.store.listAuditEvents({ limit: 1 });
      expect(original).toHaveLength(1);
      await knex('exposure_audit_events').where({ seq: 4 }).delete();
      expect(await store.verifyAuditChain()).toMatchObject({
        valid: false,
        brokenAt: 5,
        reason: 'event 4 is missing (found 5 next)',
      });
    });

    it('picks the pool from an intent, and refuses a pool of another intent', async () => {
      const { service } = await setup();
      const byIntent = requestBody({ pool: undefined, intent: 'internal' });
      const payments = await service.createRequest(ALICE, byIntent);
      expect([payments.pool, payments.state]).toEqual(['internal', 'active']);
      const dry = await service.dryRun(
        requestBody({
          pool: undefined,
          intent: 'production-external',
          serviceName: 'edge-api-public',
        }),
      );
      expect(dry).toMatchObject({
        pool: 'prod-external',
        verdict: 'needs-approval',
      });
      await expect(
        service.createRequest(ALICE, requestBody({ intent: 'temporary' })),
      ).rejects.toThrow(
        'intent: pool "prod-external" is production-external, not temporary',
      );
      await expect(
        service.createRequest(
          ALICE,
          requestBody({ pool: undefined, intent: 'management' }),
        ),
      ).rejects.toThrow('intent: no pool has intent management');
    });

    it('filters the audit log by subject, actor, action and time', async () => {
      const { service, store, clock } = await setup();
      const first = await service.createRequest(ALICE, requestBody());
      clock.advance(60_000);
      await service.approve(PAT, first.id, 'ok');
      const byPat = await store.listAuditEvents({ actor: PAT, limit: 10 });
      expect(byPat.map(e => e.action)).toEqual(['request.approved']);
      const created = await store.listAuditEvents({
        action: 'request.created',
        limit: 10,
      });
      expect(created.map(e => e.subjectId)).toEqual([first.id]);
      const later = await store.listAuditEvents({
        since: '2026-11-25T12:00:30Z',
        limit: 10,
      });
      expect(later.map(e => e.action)).toEqual([
        'request.active',
        'request.approved',
      ]);
      const earlier = await store.listAuditEvents({
        until: '2026-11-25T12:00:30Z',
        limit: 10,
      });
      expect(earlier.map(e => e.action)).toEqual(['request.created']);
      expect(await store.listAuditEvents({ limit: 1 })).toHaveLength(1);
    });
  },
);
