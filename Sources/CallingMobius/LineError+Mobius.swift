import CallingCore

extension LineError {
    /// The HTTP status Mobius answered, when it answered (metadata `httpStatus`).
    public var httpStatus: Int? {
        metadata["httpStatus"]?.number
    }

    /// Mobius's `errorCode` (101: device limit, 102: user not enabled), when it sent one
    /// (metadata `errorCode`).
    public var mobiusErrorCode: Int? {
        metadata["errorCode"]?.number
    }

    /// Mobius's tracking id, for support requests (metadata `trackingId`).
    public var trackingID: String? {
        metadata["trackingId"]?.description
    }

    /// The metadata a Mobius answer gives an error.
    static func mobius(host: String, httpStatus: Int, errorCode: Int? = nil, trackingID: String? = nil) -> [String: Value] {
        var metadata: [String: Value] = ["host": .text(host), "httpStatus": .number(httpStatus)]
        metadata["errorCode"] = errorCode.map(Value.number)
        metadata["trackingId"] = trackingID.map(Value.text)
        return metadata
    }
}
