#ifndef CALLING_BENCHMARK_HEAP_H
#define CALLING_BENCHMARK_HEAP_H

#include <stddef.h>

/// Bytes the C allocator has handed out and not yet taken back, in every arena: what the
/// process's objects occupy, whatever of it the allocator keeps resident or has returned.
/// Swift does not see glibc's <malloc.h>, so the benchmark asks through this.
size_t calling_heap_bytes_in_use(void);

#endif
