import ExchangeProtocol
import Formats
import Model

/// What the receiving agency's back office makes of a record, decided before the receipt: a record
/// its format cannot hold is rejected in the receipt with its code, never accepted and then left
/// out of the delivered document. (What the format loses of the others is known when they are
/// written, behind the receipt, and kept with the delivery.)
public protocol DeliveryCheck: Sendable {
    /// Why the back office's format cannot hold the record (empty: it can).
    func faults(_ record: CanonicalRecord) -> [FieldError]
}

extension [Decoded] {
    /// Each readable record asked of the back office's format: one it cannot hold becomes a rejected
    /// one (its first fault is the receipt's code).
    mutating func screen(by check: any DeliveryCheck) {
        for i in indices {
            guard let record = self[i].record, self[i].errors.isEmpty else { continue }
            let faults = check.faults(record)
            guard !faults.isEmpty else { continue }
            self[i].errors = faults.map { FieldError($0.field, $0.code, "the back office cannot take it: \($0.message)") }
            self[i].record = nil
        }
    }
}
