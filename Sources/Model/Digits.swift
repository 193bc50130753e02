/// The value of a run of ASCII decimal digits; nil when empty or when any byte is not a digit.
/// Every numeric form of the model (dates, check digits, postcodes, hours) is read through it, so
/// that no locale, sign or white space slips in.
public func decimalValue(_ digits: ArraySlice<UInt8>) -> Int? {
    guard !digits.isEmpty, digits.count <= 18 else { return nil }
    var n = 0
    for b in digits {
        guard (48...57).contains(b) else { return nil }
        n = n * 10 + Int(b - 48)
    }
    return n
}
