import Formats
import Model

/// What the receiving agency's back office makes of a record, decided before the receipt: a record
/// is either taken by the back office (with what its format loses of it) or rejected in the receipt
/// with its code, never accepted and then left out of the delivered document. The record made ready
/// here is the one delivered after the receipt (it is not encoded twice).
public protocol DeliveryCheck: Sendable {
    func prepare(_ record: CanonicalRecord) -> PreparedRecord
}

extension [Decoded] {
    /// Each readable record made ready for the back office's format: a record it cannot hold becomes
    /// a rejected one (its first fault is the receipt's code), one it holds carries its losses.
    /// Returns the prepared records by position (nil where there is none).
    mutating func screen(by check: any DeliveryCheck) -> [PreparedRecord?] {
        var prepared = [PreparedRecord?](repeating: nil, count: count)
        for i in indices {
            guard let record = self[i].record, self[i].errors.isEmpty else { continue }
            let ready = check.prepare(record)
            if ready.errors.isEmpty {
                self[i].losses = ready.losses
                prepared[i] = ready
            } else {
                self[i].errors = ready.errors.map { FieldError($0.field, $0.code, "the back office cannot take it: \($0.message)") }
                self[i].record = nil
            }
        }
        return prepared
    }
}
