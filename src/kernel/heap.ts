/**
 * The binary heap under the event queue (queue.ts), as functions over its
 * arrays (as Python's heapq works on a list): entries are (time, slot) at
 * positions 0 .. n - 1 of `time` and `slot`, ordered by (time, key[slot]);
 * every time at a position >= n is +Infinity (the padding), so a child is
 * read without a bounds check. The keys are exact integers, distinct, so
 * the order is total.
 */

/** Put (t, s) at position i, whose children are in heap order, and sift it down to its place. */
export function siftDown(time: Float64Array, slot: Int32Array, key: Float64Array, n: number, i: number, t: number, s: number): void {
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const lt = time[l], rt = time[l + 1];
    // the comparison of times picks the child without a branch (as flatqueue
    // does: random times mispredict half of such branches); an exact tie goes by key
    const c = lt === rt ? byKey(slot, key, n, l) : l + +(rt < lt);
    const ct = time[c];
    if (t < ct || (t === ct && key[s] < key[slot[c]])) break;
    time[i] = ct;
    slot[i] = slot[c];
    i = c;
  }
  time[i] = t;
  slot[i] = s;
}

/** Of the children l and l + 1, which share a time, the one with the lower key (l when l + 1 is the padding). */
function byKey(slot: Int32Array, key: Float64Array, n: number, l: number): number {
  const r = l + 1;
  return r < n && key[slot[r]] < key[slot[l]] ? r : l;
}

/** Put (t, s) at position i (a hole) and sift it up to its place. */
export function siftUp(time: Float64Array, slot: Int32Array, key: Float64Array, i: number, t: number, s: number): void {
  const q = key[s];
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const pt = time[parent];
    if (pt < t || (pt === t && key[slot[parent]] < q)) break;
    time[i] = pt;
    slot[i] = slot[parent];
    i = parent;
  }
  time[i] = t;
  slot[i] = s;
}

/**
 * Remove the top of a heap of n + 1 entries (n after). Floyd's method: walk
 * the hole down to a leaf along the first children, then sift the last entry
 * up from there; the last entry usually belongs near the bottom, so this
 * saves a comparison per level.
 */
export function popFirst(time: Float64Array, slot: Int32Array, key: Float64Array, n: number): void {
  const lastTime = time[n], lastSlot = slot[n];
  time[n] = Infinity; // the padding
  if (n === 0) return;
  let i = 0;
  let c = 1;
  while (c < n) {
    const lt = time[c], rt = time[c + 1];
    c = lt === rt ? byKey(slot, key, n, c) : c + +(rt < lt);
    time[i] = time[c];
    slot[i] = slot[c];
    i = c;
    c = 2 * i + 1;
  }
  siftUp(time, slot, key, i, lastTime, lastSlot);
}

/** Insert (t, s) into the sorted entries 0 .. n - 1 (a sorted array is a heap): a short run costs a few comparisons. */
export function insertSorted(time: Float64Array, slot: Int32Array, key: Float64Array, n: number, t: number, s: number): void {
  const q = key[s];
  let i = n;
  for (; i > 0; i--) {
    const pt = time[i - 1];
    if (pt < t || (pt === t && key[slot[i - 1]] < q)) break;
    time[i] = pt;
    slot[i] = slot[i - 1];
  }
  time[i] = t;
  slot[i] = s;
}

/** Put entries 0 .. n - 1 in heap order (bottom-up, O(n)). */
export function heapify(time: Float64Array, slot: Int32Array, key: Float64Array, n: number): void {
  for (let i = (n - 2) >> 1; i >= 0; i--) siftDown(time, slot, key, n, i, time[i], slot[i]);
}
