import Formats
import Model

/// What the receiving agency's back office makes of a record, decided before the receipt: a record
/// is either taken by the back office (with what its format loses of it) or rejected in the receipt
/// with its code, never accepted and then left out of the delivered document.
public protocol DeliveryCheck: Sendable {
    func check(_ record: CanonicalRecord) -> DeliveryFit
}

/// A record as the back office's format would hold it.
public struct DeliveryFit: Sendable, Equatable {
    /// Why the format cannot hold the record at all: the record is rejected in the receipt.
    public var errors: [FieldError]
    /// What the format holds only approximately, or not: listed in the batch's view.
    public var losses: [String]
    public init(errors: [FieldError] = [], losses: [String] = []) {
        self.errors = errors
        self.losses = losses
    }
}

extension [Decoded] {
    /// Each readable record screened by the back office's format: a record it cannot hold becomes a
    /// rejected one (its first fault is the receipt's code), one it holds carries its losses.
    mutating func screen(by check: any DeliveryCheck) {
        for i in indices {
            guard let record = self[i].record, self[i].errors.isEmpty else { continue }
            let fit = check.check(record)
            if fit.errors.isEmpty {
                self[i].losses = fit.losses
            } else {
                self[i].errors = fit.errors.map { FieldError($0.field, $0.code, "the back office cannot take it: \($0.message)") }
                self[i].record = nil
            }
        }
    }
}
