/// Something the keepalive scheduler fires: a registered line.
package protocol KeepaliveTarget: AnyObject, Sendable {
    /// A keepalive is due (it was due at `deadline`, on the scheduler's clock). Called on the
    /// scheduler's task, so it must only start work, not wait.
    func keepaliveDue(deadline: Duration)
}
