// For workloads measured by test/xs/heap.ts: collects garbage, then records the live heap under
// `label`. Only works inside xsnap-heap (measureInXs defines the global it forwards to).
interface HeapMarkGlobal {
  heapMark?: (label: string) => void;
}

export function heapMark(label: string): void {
  const record = (globalThis as HeapMarkGlobal).heapMark;
  if (!record) throw new Error("heapMark() only works in a workload run by measureInXs (test/xs/heap.ts)");
  record(label);
}
