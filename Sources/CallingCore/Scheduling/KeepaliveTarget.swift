/// Something the keepalive scheduler fires: a registered line.
package protocol KeepaliveTarget: AnyObject, Sendable {
    /// A keepalive is due. Called on the scheduler's task, so it must only start work, not wait.
    func keepaliveDue()
}
