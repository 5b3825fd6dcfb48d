@testable import CallingCore
import CallingTestSupport
import CallingTesting
import CallingTransport
import Testing

@Suite("Keepalive workers", .timeLimit(.minutes(1)))
struct KeepaliveWorkersTests {
    let workers = KeepaliveWorkers()

    @Test("every job runs once, and quick jobs are shared by far fewer workers than jobs")
    func quickJobs() async {
        let ran = Locked([Int](repeating: 0, count: 1_000))
        let done = AsyncStream.makeStream(of: Void.self)
        for index in 0..<1_000 {
            _ = workers.submit {
                let finished = ran.withLock { counts in
                    counts[index] += 1
                    return counts.allSatisfy { $0 > 0 }
                }
                if finished { done.continuation.yield() }
            }
        }
        for await _ in done.stream { break }
        #expect(ran.withLock { $0 } == [Int](repeating: 1, count: 1_000))
        #expect(workers.workerCount < 1_000)
        await workers.stop()
    }

    @Test("jobs that wait all run at once: a worker that takes a job recruits another for the rest")
    func waitingJobsRunConcurrently() async {
        let gate = Gate()
        let started = AsyncStream.makeStream(of: Int.self)
        let finished = AsyncStream.makeStream(of: Int.self)
        for index in 0..<20 {
            _ = workers.submit {
                started.continuation.yield(index)
                await gate.wait()
                finished.continuation.yield(index)
            }
        }
        var waiting = Set<Int>()
        for await index in started.stream {
            waiting.insert(index)
            if waiting.count == 20 { break }
        }
        #expect(workers.workerCount == 20)
        gate.open()
        var done = Set<Int>()
        for await index in finished.stream {
            done.insert(index)
            if done.count == 20 { break }
        }
        #expect(done == Set(0..<20))
        await workers.stop()
    }

    @Test("after a burst of waiting jobs, workers beyond the idle limit retire")
    func idleLimit() async {
        let workers = KeepaliveWorkers(maximumIdle: 3)
        let gate = Gate()
        let started = AsyncStream.makeStream(of: Void.self)
        for _ in 0..<12 {
            _ = workers.submit {
                started.continuation.yield()
                await gate.wait()
            }
        }
        var count = 0
        for await _ in started.stream {
            count += 1
            if count == 12 { break }
        }
        #expect(workers.workerCount == 12)
        gate.open()
        await workers.retired(downTo: 3)
        #expect(workers.workerCount == 3)
        await workers.stop()
    }

    @Test("a cancelled running job sees cancellation, its worker retires, and later jobs still run")
    func cancellation() async {
        let gate = Gate()
        let events = AsyncStream.makeStream(of: String.self)
        let running = workers.submit {
            events.continuation.yield("started")
            await withTaskCancellationHandler {
                await gate.wait()
            } onCancel: {
                gate.open()
            }
            events.continuation.yield(Task.isCancelled ? "cancelled" : "finished")
        }
        var iterator = events.stream.makeAsyncIterator()
        #expect(await iterator.next() == "started")
        workers.cancel(running)
        #expect(await iterator.next() == "cancelled")
        _ = workers.submit { events.continuation.yield("later ran") }
        #expect(await iterator.next() == "later ran")
        await workers.stop()
    }

    @Test("stop ends idle workers and returns once they have retired; a job submitted afterwards starts no worker")
    func stop() async {
        let ran = AsyncStream.makeStream(of: Void.self)
        _ = workers.submit { ran.continuation.yield() }
        for await _ in ran.stream { break }
        await workers.stop()
        #expect(workers.workerCount == 0)
        _ = workers.submit { Issue.record("a job ran after stop()") }
        #expect(workers.workerCount == 0)
    }
}
