/** A write lost a race with another write of the same resource; the caller may retry. */
export class ConcurrentWriteError extends Error {
  constructor(
    readonly resourceType: string,
    readonly id: string,
  ) {
    super(`${resourceType}/${id} was changed concurrently`);
  }
}
