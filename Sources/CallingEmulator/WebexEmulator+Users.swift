import CallingAuth

extension WebexEmulator {
    /// The most users one call makes: a gateway benchmark's size, bounded so an admin request
    /// cannot exhaust the emulator's memory.
    public static let maximumUsersAdded = 1_000_000

    /// Makes `count` new users and logs each in: every user has its own tokens, device limit
    /// and devices, and the Mobius endpoints refuse one user's token for another's device.
    ///
    /// - Parameters:
    ///   - count: How many users, held to 0…``maximumUsersAdded``.
    ///   - scope: The scopes their tokens carry.
    /// - Returns: The users, each with the tokens issued to it.
    public func addUsers(_ count: Int, scope: String = "spark:all spark:calling") -> [EmulatorUser] {
        return (0..<min(max(count, 0), Self.maximumUsersAdded)).map { _ in
            addedUsers += 1
            let userID = "emulator-user-\(addedUsers)"
            let granted = grantTokens(userID: userID, scope: scope, refreshToken: nil)
            // Read back from the token endpoint's JSON, as a client receives them: the user's
            // strings are then its own, not the emulator's, as they would be over the wire.
            let tokens = (try? TokenResponse.parse(Self.json(200, Self.tokenFields(granted)))) ?? granted
            return EmulatorUser(userID: userID, tokens: tokens)
        }
    }
}
