import Primitives

/// The requests validation sends (JWKS, metadata, introspection, probe), through the manager's one
/// transport, with the provider's standard timeout step.
struct ValidationHTTP: Sendable {
    var transport: any TokenEndpointTransport
    var timeout: TimeoutStep

    /// Sends `request` and returns the response when its status is 2xx.
    ///
    /// - Parameters:
    ///   - what: What is fetched, for the failure's detail (`the JWKS document`).
    ///   - check: The check a failure is reported under.
    func fetch(_ request: TokenEndpointRequest, what: String, check: TokenValidationFailure.Check)
        async throws(TokenValidationFailure) -> TokenEndpointResponse
    {
        let response: TokenEndpointResponse
        do {
            response = try await self.transport.send(request, timeout: self.timeout)
        } catch {
            throw TokenValidationFailure(check, "\(what) at \(request.url) could not be fetched: \(error)")
        }
        guard (200..<300).contains(response.status) else {
            throw TokenValidationFailure(check, "\(what) at \(request.url) answered HTTP \(response.status)")
        }
        return response
    }

    /// A `GET` of a JSON document.
    func getJSON(_ url: String, what: String, check: TokenValidationFailure.Check)
        async throws(TokenValidationFailure) -> [UInt8]
    {
        let request = TokenEndpointRequest(
            url: url, headers: [("Accept", "application/json"), ("User-Agent", "oauthtop")], body: [], method: "GET"
        )
        return try await self.fetch(request, what: what, check: check).body
    }
}
