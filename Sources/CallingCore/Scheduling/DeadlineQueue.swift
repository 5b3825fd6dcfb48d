/// One scheduled keepalive: when, for which slot, and the slot stamp it was scheduled under.
struct ScheduledKeepalive {
    var deadline: Int64
    var slot: Int32
    var stamp: UInt32
}

/// Keepalives of one interval, earliest first.
///
/// Lines re-armed at their previous deadline plus the interval arrive in deadline order, so an
/// insert is an append in the common case (a short walk back otherwise) and taking the earliest is
/// O(1): a FIFO, not a heap.
struct DeadlineQueue {
    private var storage: [ScheduledKeepalive] = []
    private var head = 0

    var first: ScheduledKeepalive? {
        head < storage.count ? storage[head] : nil
    }

    mutating func removeFirst() -> ScheduledKeepalive {
        let entry = storage[head]
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 4096 && head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return entry
    }

    mutating func insert(_ entry: ScheduledKeepalive) {
        storage.append(entry)
        var index = storage.count - 1
        while index > head && storage[index - 1].deadline > entry.deadline {
            storage[index] = storage[index - 1]
            index -= 1
        }
        storage[index] = entry
    }

    var isEmpty: Bool { head == storage.count }
}
