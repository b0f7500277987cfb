/**
 * Where this process looks for the next free address of each pool: just past
 * the last one it handed out, or lower when it released one below that. A
 * cursor is a hint, not a guarantee: the leases' unique key decides, and a
 * search that finds nothing above the cursor starts again at the pool's start.
 */
export class AllocationCursors {
  private readonly cursors = new Map<string, bigint>();

  next(pool: string): bigint | undefined {
    return this.cursors.get(pool);
  }

  allocated(pool: string, value: bigint): void {
    this.cursors.set(pool, value + 1n);
  }

  released(pool: string, value: bigint): void {
    const cursor = this.cursors.get(pool);
    if (cursor !== undefined && value < cursor) this.cursors.set(pool, value);
  }
}
