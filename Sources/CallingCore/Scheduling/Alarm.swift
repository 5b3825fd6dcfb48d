#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the keepalive scheduler's own thread waits: until a deadline, until woken, or both.
///
/// A task that sleeps with `Task.sleep` and is resumed by the runtime costs about 150 µs of CPU
/// per wake-up on a small Linux machine (timer thread, then a worker thread handing the task
/// on); a thread waiting on a condition variable costs 25–35 µs. With the system clock the
/// wait is a timed wait. With an injected clock (tests, a scaled demo clock) a task sleeps on
/// that clock and wakes the thread, so manual clocks keep working unchanged.
final class Alarm: @unchecked Sendable {
    // @unchecked: `pending` is only touched with `mutex` held; the mutex and the
    // condition variable are set up in init and torn down in deinit, when no thread uses them.
    private let time: TimeSource
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var pending = false

    init(time: TimeSource) {
        self.time = time
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        condition.initialize(to: pthread_cond_t())
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        #if !canImport(Darwin)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        #endif
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Ends the current or next ``wait(until:)`` early.
    func wake() {
        pthread_mutex_lock(mutex)
        pending = true
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Blocks the calling thread until `deadline` (on the time source's clock) has passed or
    /// ``wake()`` is called; with no deadline, only until woken. Wakes may be early or
    /// spurious: the caller checks what is due.
    func wait(until deadline: Duration?) {
        pthread_mutex_lock(mutex)
        defer {
            pending = false
            pthread_mutex_unlock(mutex)
        }
        guard !pending else { return }
        guard let deadline else {
            pthread_cond_wait(condition, mutex)
            return
        }
        if time.isSystemTime {
            waitOnSystemClock(until: deadline)
        } else {
            waitOnInjectedClock(until: deadline)
        }
    }

    private func waitOnSystemClock(until deadline: Duration) {
        let remaining = (deadline - time.now()).nanoseconds
        guard remaining > 0 else { return }
        #if canImport(Darwin)
        var relative = timespec(tv_sec: .init(remaining / 1_000_000_000), tv_nsec: .init(remaining % 1_000_000_000))
        pthread_cond_timedwait_relative_np(condition, mutex, &relative)
        #else
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let target = Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec) + remaining
        var until = timespec(tv_sec: .init(target / 1_000_000_000), tv_nsec: .init(target % 1_000_000_000))
        pthread_cond_timedwait(condition, mutex, &until)
        #endif
    }

    /// Called with `mutex` held; the sleeping task wakes the thread through ``wake()``.
    private func waitOnInjectedClock(until deadline: Duration) {
        let time = self.time
        let sleeper = Task { [weak self] in
            guard (try? await time.sleepUntil(deadline)) != nil else { return }
            self?.wake()
        }
        pthread_cond_wait(condition, mutex)
        sleeper.cancel()
    }
}
