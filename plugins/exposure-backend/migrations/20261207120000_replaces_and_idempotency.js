// @ts-check

/**
 * `replaces`: a request that changes an active one names it, and takes over
 * from it when it becomes active. `exposure_idempotency_keys`: a retried
 * `POST /requests` with the same `Idempotency-Key` gets the first request back;
 * the primary key makes that hold across replicas.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('exposure_requests', table => {
    table
      .string('replaces', 36)
      .nullable()
      .comment('Id of the active request this one changes');
    table.index(
      ['cluster', 'namespace', 'service_name', 'state'],
      'exposure_requests_service_state_idx',
    );
  });
  await knex.schema.createTable('exposure_idempotency_keys', table => {
    table.comment('Idempotency-Key of POST /requests, per requester');
    table.string('actor').notNullable().comment('Entity ref of the requester');
    table.string('key').notNullable().comment('The Idempotency-Key header');
    table
      .string('body_hash', 64)
      .notNullable()
      .comment('SHA-256 of the request body, to refuse a reused key');
    table
      .string('request_id', 36)
      .notNullable()
      .references('id')
      .inTable('exposure_requests');
    table
      .bigInteger('created_at_ms')
      .notNullable()
      .comment('When the key was first used; old keys are pruned');
    table.primary(['actor', 'key']);
    table.index(['created_at_ms'], 'exposure_idempotency_keys_created_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('exposure_idempotency_keys');
  await knex.schema.alterTable('exposure_requests', table => {
    table.dropIndex(
      ['cluster', 'namespace', 'service_name', 'state'],
      'exposure_requests_service_state_idx',
    );
  });
  // Plain DROP COLUMN: knex would rebuild the table on SQLite, which the
  // foreign keys pointing at it refuse.
  await knex.raw('ALTER TABLE exposure_requests DROP COLUMN replaces');
};
