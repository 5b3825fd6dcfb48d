import CallingBenchmarkHeap
import CallingBenchmarkKit

extension ProcessStats {
    /// Bytes of the heap in use now: what the process's objects occupy, unlike resident memory,
    /// which counts what the allocator keeps from earlier phases and misses what it gave back.
    /// Here rather than in the kit, which `Integrations/` compiles too without the C target.
    static func heapBytes() -> Int { calling_heap_bytes_in_use() }
}
