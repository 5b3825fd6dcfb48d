/// The package itself.
public enum SwiftCalling {
    /// The package's version: sent in `spark-user-agent` and SIP's `User-Agent`, printed by
    /// `calling --version`, and the newest entry of the changelog.
    public static let version = "0.1.0"
}
