/** Unordered id lists with O(1) removal: each id's place in its list is kept in `pos`. */

/** Append u to `list`, recording its place. */
export function listAdd(list: number[], pos: Int32Array, u: number): void {
  pos[u] = list.length;
  list.push(u);
}

/** Remove u from `list` by moving the last id into its place. */
export function listRemove(list: number[], pos: Int32Array, u: number): void {
  const i = pos[u];
  const last = list.pop()!;
  if (last !== u) {
    list[i] = last;
    pos[last] = i;
  }
}
