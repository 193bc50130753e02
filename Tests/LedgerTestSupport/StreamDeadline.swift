/// A wait for the next element of a stream that ends: with the element, or with an error naming
/// what was awaited once `timeout` has passed or the stream finished without one. Tests signal
/// between a server's handler and the test body through streams; a request that fails before its
/// handler runs must fail the test, not leave it waiting.
public struct StreamWaitFailed: Error, CustomStringConvertible {
    public var description: String
}

extension AsyncStream where Element: Sendable {
    public func next(within timeout: Duration, _ what: String) async throws -> Element {
        try await withThrowingTaskGroup(of: Element.self) { group in
            group.addTask {
                var iterator = self.makeAsyncIterator()
                guard let element = await iterator.next() else { throw StreamWaitFailed(description: "ended before \(what)") }
                return element
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw StreamWaitFailed(description: "not within \(timeout): \(what)")
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}
