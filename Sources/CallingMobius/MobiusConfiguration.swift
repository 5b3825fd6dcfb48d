import CallingCore
import CallingTransport
import Foundation

extension MobiusRegistrar {
    /// Where Webex's services are and how the client introduces itself.
    public struct Configuration: Sendable {
        /// The region a client reports to Mobius discovery.
        public struct Region: Sendable, Equatable {
            /// The region code, Webex's `clientRegion` (for example `US-EAST`).
            public var regionCode: String
            /// The country code (for example `US`).
            public var countryCode: String

            /// Creates a region.
            public init(regionCode: String, countryCode: String) {
                self.regionCode = regionCode
                self.countryCode = countryCode
            }
        }

        /// The kind of service a line registers for.
        ///
        /// A struct rather than an enum, so that new kinds can be added without breaking callers.
        public struct ServiceIndicator: Hashable, Sendable, CustomStringConvertible {
            /// The value sent as `serviceData.indicator`.
            public let rawValue: String

            private init(_ rawValue: String) {
                self.rawValue = rawValue
            }

            /// Webex Calling.
            public static let calling = ServiceIndicator("calling")
            /// Webex Contact Center (four keepalive misses, not five, end a registration).
            public static let contactCenter = ServiceIndicator("contactcenter")
            /// Guest calling.
            public static let guestCalling = ServiceIndicator("guestcalling")

            /// The raw value.
            public var description: String { rawValue }
        }

        /// The device manager's device collection (WDM), where each line's device is created.
        public var deviceManagerURL: URL
        /// The region service, asked when ``region`` is `nil`.
        public var regionURL: URL
        /// The Mobius hosts asked for server lists, in order; the first that answers wins.
        public var discoveryHosts: [URL]
        /// A fixed region, which skips the region lookup.
        public var region: Region?
        /// The service lines register for.
        public var serviceIndicator: ServiceIndicator
        /// The `serviceData.domain`; empty for Webex Calling.
        public var domain: String
        /// The `spark-user-agent` header.
        public var userAgent: String
        /// The name and model given to the devices the client creates.
        public var deviceName: String

        /// Creates a configuration.
        public init(
            deviceManagerURL: URL,
            regionURL: URL,
            discoveryHosts: [URL],
            region: Region? = nil,
            serviceIndicator: ServiceIndicator = .calling,
            domain: String = "",
            userAgent: String = "swift-calling/\(SwiftCalling.version)",
            deviceName: String = "swift-calling"
        ) {
            self.deviceManagerURL = deviceManagerURL
            self.regionURL = regionURL
            self.discoveryHosts = discoveryHosts
            self.region = region
            self.serviceIndicator = serviceIndicator
            self.domain = domain
            self.userAgent = userAgent
            self.deviceName = deviceName
        }

        /// The package's emulator at `baseURL`: the device manager, region and Mobius discovery
        /// under Webex's paths there. Discovery asks `discoveryHost`, by default the emulator's
        /// backup server, so that discovery still answers while the primary is down.
        public static func emulator(baseURL: URL, discoveryHost: URL? = nil) -> Configuration {
            Configuration(
                deviceManagerURL: baseURL.appending(path: "wdm/api/v1/devices"),
                regionURL: baseURL.appending(path: "v1/region"),
                discoveryHosts: [discoveryHost ?? baseURL.appending(path: "mobius/backup/api/v1")]
            )
        }

        /// Webex's production services.
        public static var defaults: Configuration {
            Configuration(
                deviceManagerURL: URL(string: "https://wdm-a.wbx2.com/wdm/api/v1/devices")!,
                regionURL: URL(string: "https://ds.ciscospark.com/v1/region")!,
                discoveryHosts: [URL(string: "https://mobius-us-east-1.prod.infra.webex.com/api/v1")!]
            )
        }
    }
}
