/// Something the scheduler fires: a line, for its keepalives and for the one deadline it waits
/// for (a retry, a failover, a rehoming check).
package protocol SchedulerTarget: AnyObject, Sendable {
    /// A keepalive is due (it was due at `deadline`, on the scheduler's clock). Called on the
    /// scheduler's thread, so it must only start work, not wait.
    func keepaliveDue(deadline: Duration)

    /// The deadline scheduled with ``KeepaliveScheduler/scheduleOnce(_:at:)`` under `handle` has
    /// come. Called on the scheduler's thread, so it must only start work, not wait.
    func deadlineReached(_ handle: KeepaliveScheduler.Handle)
}
