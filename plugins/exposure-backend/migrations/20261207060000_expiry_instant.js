// @ts-check

/**
 * Expiry as an instant: `expires_at_ms` (milliseconds since the epoch) is what
 * the expiry task compares. Text comparison of `expires_at` went wrong for
 * years past 9999 (`+010000-...` sorts before `2026-...`).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('exposure_requests', table => {
    table
      .bigInteger('expires_at_ms')
      .nullable()
      .comment(
        'Expiry as milliseconds since the epoch; compared by the expiry task',
      );
    table.index(
      ['state', 'expires_at_ms'],
      'exposure_requests_state_expiry_ms_idx',
    );
  });
  const rows = await knex('exposure_requests')
    .whereNotNull('expires_at')
    .select('id', 'expires_at');
  for (const row of rows) {
    const ms = Date.parse(row.expires_at);
    await knex('exposure_requests')
      .where('id', row.id)
      .update({ expires_at_ms: Number.isNaN(ms) ? null : ms });
  }
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('exposure_requests', table => {
    table.dropIndex(
      ['state', 'expires_at_ms'],
      'exposure_requests_state_expiry_ms_idx',
    );
  });
  // Plain DROP COLUMN: knex would rebuild the table on SQLite, which the
  // foreign keys pointing at it refuse.
  await knex.raw('ALTER TABLE exposure_requests DROP COLUMN expires_at_ms');
};
