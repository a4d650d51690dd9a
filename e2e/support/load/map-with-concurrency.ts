/**
 * Runs `work(0)` … `work(count - 1)` with at most `concurrency` of them in flight, and returns
 * their results in order. Each worker takes the next index when it is done with one.
 */
export async function mapWithConcurrency<T>(count: number, concurrency: number, work: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      results[index] = await work(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}
