// @ts-check

/**
 * Portico exposure: requests, the addresses they hold, and the audit chain.
 * Timestamps are ISO 8601 UTC strings (`toISOString()`), which sort and compare
 * the same way as text on SQLite and PostgreSQL.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('exposure_requests', table => {
    table.comment('Exposure requests and their lifecycle state');
    table.string('id', 36).primary().comment('Request id (UUID)');
    table
      .string('state', 16)
      .notNullable()
      .comment('pending, approved, rejected, active, released or expired');
    table
      .string('requested_by')
      .notNullable()
      .comment('User entity ref of the requester');
    table
      .string('entity_ref')
      .notNullable()
      .comment('Catalog component exposed');
    table.string('owner').notNullable().comment('Owning group entity ref');
    table.string('cluster', 63).notNullable();
    table.string('namespace', 63).notNullable();
    table.string('service_name', 63).notNullable();
    table.text('ports').notNullable().comment('JSON array of {port, protocol}');
    table.string('pool', 63).notNullable();
    table.string('segment', 63).notNullable();
    table.string('intent', 32).notNullable();
    table
      .string('requested_address', 45)
      .nullable()
      .comment('Address asked for, if any');
    table
      .string('address', 45)
      .nullable()
      .comment('Address held while active, last held after');
    table
      .string('exposure_kind', 16)
      .notNullable()
      .comment('direct, ingress or gateway');
    table.text('justification').notNullable();
    table
      .string('expires_at', 32)
      .nullable()
      .comment('ISO time the exposure expires');
    table
      .text('reasons')
      .notNullable()
      .comment('JSON guardrail reasons at creation');
    table.string('decided_by').nullable();
    table.string('decided_at', 32).nullable();
    table.text('decision_comment').nullable();
    table.string('released_by').nullable();
    table.string('released_at', 32).nullable();
    table.string('created_at', 32).notNullable();
    table.string('updated_at', 32).notNullable();
    table.index(['state', 'expires_at'], 'exposure_requests_state_expiry_idx');
    table.index(['pool', 'owner', 'state'], 'exposure_requests_pool_owner_idx');
  });

  await knex.schema.createTable('exposure_leases', table => {
    table.comment(
      'Addresses held right now. The primary key is the guarantee of at most one ' +
        'active holder per (segment, address), across every backend replica.',
    );
    table.string('segment', 63).notNullable();
    table.string('address', 45).notNullable().comment('Canonical address text');
    table.integer('family').notNullable().comment('4 or 6');
    table
      .string('address_key', 32)
      .notNullable()
      .comment('Fixed-width hex of the address: text order is numeric order');
    table.string('pool', 63).notNullable();
    table
      .string('owner')
      .notNullable()
      .comment('Group holding the address; sharing stays within it');
    table.string('created_at', 32).notNullable();
    table.primary(['segment', 'address']);
    table.index(
      ['pool', 'family', 'address_key'],
      'exposure_leases_pool_key_idx',
    );
  });

  await knex.schema.createTable('exposure_allocations', table => {
    table.comment(
      'Which active request holds which leased address (several when shared)',
    );
    table
      .string('request_id', 36)
      .primary()
      .references('id')
      .inTable('exposure_requests');
    table.string('segment', 63).notNullable();
    table.string('address', 45).notNullable();
    table.string('created_at', 32).notNullable();
    table
      .foreign(['segment', 'address'])
      .references(['segment', 'address'])
      .inTable('exposure_leases');
    table.index(['segment', 'address'], 'exposure_allocations_lease_idx');
  });

  await knex.schema.createTable('exposure_lease_ports', table => {
    table.comment(
      'Ports in use on a leased address; the primary key keeps services sharing ' +
        'one address from ever clashing on a port',
    );
    table.string('segment', 63).notNullable();
    table.string('address', 45).notNullable();
    table.string('protocol', 8).notNullable();
    table.integer('port').notNullable();
    table
      .string('request_id', 36)
      .notNullable()
      .references('request_id')
      .inTable('exposure_allocations');
    table.primary(['segment', 'address', 'protocol', 'port']);
    table.index(['request_id'], 'exposure_lease_ports_request_idx');
  });

  await knex.schema.createTable('exposure_audit_events', table => {
    table.comment(
      'Append-only audit log. Each row stores the hash of the previous one, so an ' +
        'edited or a missing row breaks the chain.',
    );
    table.bigInteger('seq').primary().comment('Position in the chain, from 1');
    table.string('at', 32).notNullable();
    table
      .string('actor')
      .notNullable()
      .comment('User entity ref, or system:portico');
    table.string('action', 64).notNullable();
    table.string('subject_type', 32).notNullable();
    table.string('subject_id').notNullable();
    table.text('before').notNullable().comment('JSON state before, or null');
    table.text('after').notNullable().comment('JSON state after, or null');
    table
      .string('prev_hash', 64)
      .notNullable()
      .unique({ indexName: 'exposure_audit_prev_hash_uq' })
      .comment('Hash of the previous event; unique, so the chain cannot fork');
    table.string('hash', 64).notNullable().comment('SHA-256 of this event');
    table.index(['subject_id'], 'exposure_audit_subject_idx');
    table.index(['at'], 'exposure_audit_at_idx');
  });

  await knex.schema.createTable('exposure_audit_head', table => {
    table.comment(
      'One row: the end of the audit chain. Writers lock it first, which orders ' +
        'every change across replicas and detects a truncated chain.',
    );
    table.integer('id').primary();
    table.bigInteger('seq').notNullable();
    table.string('hash', 64).notNullable();
  });
  await knex('exposure_audit_head').insert({
    id: 1,
    seq: 0,
    hash: '0'.repeat(64),
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('exposure_audit_head');
  await knex.schema.dropTable('exposure_audit_events');
  await knex.schema.dropTable('exposure_lease_ports');
  await knex.schema.dropTable('exposure_allocations');
  await knex.schema.dropTable('exposure_leases');
  await knex.schema.dropTable('exposure_requests');
};
