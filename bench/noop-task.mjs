// The raw Piscina reference task: a no-op, like the benchmark's handler.
export default function noop() {
  return undefined;
}
