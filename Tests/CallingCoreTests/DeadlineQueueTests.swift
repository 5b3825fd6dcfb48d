@testable import CallingCore
import Testing

@Suite("Deadline queue")
struct DeadlineQueueTests {
    @Test("entries come out in deadline order whatever order they went in")
    func ordering() {
        var generator = SystemRandomNumberGenerator()
        var queue = DeadlineQueue()
        var expected: [Int64] = []
        for index in 0..<5000 {
            let deadline = index % 3 == 0 ? Int64(index) : Int64.random(in: 0..<10_000, using: &generator)
            queue.insert(ScheduledKeepalive(deadline: deadline, slot: Int32(index), stamp: 0))
            expected.append(deadline)
        }
        var drained: [Int64] = []
        for round in 0..<5000 {
            let entry = queue.removeFirst()
            drained.append(entry.deadline)
            if round < 1000 {
                queue.insert(ScheduledKeepalive(deadline: entry.deadline + 10_000, slot: entry.slot, stamp: 0))
                expected.append(entry.deadline + 10_000)
            }
        }
        while !queue.isEmpty {
            drained.append(queue.removeFirst().deadline)
        }
        #expect(drained == expected.sorted())
        #expect(queue.first == nil)
    }
}
