import ExchangeProtocol
import Synchronization

/// A value the gateway replaces while it runs — a pair's keys, a certificate, the operators'
/// tokens — when its files are read again (`SIGHUP`, `POST /admin/v1/reload`). Readers take the
/// value in force when they start a piece of work and keep it to the end, so a batch in flight is
/// finished with the keys it began with.
public final class Reloadable<Value: Sendable>: Sendable {
    private let box: Mutex<Value>

    public init(_ value: Value) { box = Mutex(value) }

    /// The value in force now.
    public var value: Value { box.withLock { $0 } }

    /// Puts `value` in force for every reader from now on.
    public func replace(_ value: Value) { box.withLock { $0 = value } }
}
