/** `n` with its noun in the right number: "1 key", "2 keys", "0 keys". */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
