/// One scheduled keepalive: when, for which slot, and the slot stamp it was scheduled under.
struct ScheduledKeepalive {
    var deadline: Int64
    var slot: Int32
    var stamp: UInt32
}

/// Keepalives of one interval, earliest first.
///
/// Lines re-armed at their previous deadline plus the interval arrive in deadline order, so they
/// go to a FIFO: O(1) to add and to take. The rest (first deadlines with random phases, a
/// keepalive moved by a 429) go to a binary heap, O(log n), until their re-arms join the FIFO.
struct DeadlineQueue {
    private var fifo: [ScheduledKeepalive] = []
    private var head = 0
    private var heap: [ScheduledKeepalive] = []

    var first: ScheduledKeepalive? {
        switch (head < fifo.count ? fifo[head] : nil, heap.first) {
        case (let inOrder?, let outOfOrder?): inOrder.deadline <= outOfOrder.deadline ? inOrder : outOfOrder
        case (let inOrder?, nil): inOrder
        case (nil, let outOfOrder): outOfOrder
        }
    }

    var isEmpty: Bool { head == fifo.count && heap.isEmpty }

    /// Every entry, in no particular order.
    var entries: [ScheduledKeepalive] { fifo[head...] + heap }

    mutating func insert(_ entry: ScheduledKeepalive) {
        if head == fifo.count || fifo[fifo.count - 1].deadline <= entry.deadline {
            fifo.append(entry)
        } else {
            heap.append(entry)
            siftUp(heap.count - 1)
        }
    }

    mutating func removeFirst() -> ScheduledKeepalive {
        if head < fifo.count, heap.isEmpty || fifo[head].deadline <= heap[0].deadline {
            let entry = fifo[head]
            head += 1
            if head == fifo.count {
                fifo.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 4096 && head * 2 >= fifo.count {
                fifo.removeFirst(head)
                head = 0
            }
            return entry
        }
        let entry = heap[0]
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
        return entry
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].deadline < heap[parent].deadline else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            let right = left + 1
            let smaller = right < heap.count && heap[right].deadline < heap[left].deadline ? right : left
            guard heap[smaller].deadline < heap[parent].deadline else { return }
            heap.swapAt(smaller, parent)
            parent = smaller
        }
    }
}
