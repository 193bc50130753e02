import Model

/// Reads profile records (`exchange-records.md`) out of their JSON form, collecting every fault
/// with the profile's item name; unknown members are faults (the profile's structure is closed).
final class ProfileReader {
    private(set) var errors: [FieldError] = []

    /// Records a fault; an item already reported missing is not reported missing again (a missing
    /// object would otherwise repeat for each of its members).
    func fail(_ item: String, _ code: RejectionCode, _ message: String) {
        if code == .missingField, errors.contains(where: { $0.field == item && $0.code == .missingField }) { return }
        errors.append(FieldError(item, code, message))
    }

    func attempt<T>(_ body: () throws(FieldError) -> T) -> T? {
        do { return try body() } catch { errors.append(error); return nil }
    }

    /// An object's members, after checking that it has no member outside `allowed` (a short list:
    /// looked through, not hashed). A path is only made when a fault is reported.
    func object(_ value: JSONValue?, _ path: @autoclosure () -> String, item: String, allowed: [String], required: Bool = true) -> JSONValue? {
        guard let value, value != .null else {
            if required { fail(item, .missingField, "\(path()) is missing") }
            return nil
        }
        guard case .object(let members) = value else { fail(item, .invalidValue, "\(path()) should be an object, found \(value.kind)"); return nil }
        for (key, _) in members where !allowed.contains(key) {
            fail(item, .invalidValue, "\(path()).\(key) is not a member the profile allows")
        }
        return value
    }

    /// A one-item (or `count`-item) array's items.
    func array(_ value: JSONValue?, _ path: @autoclosure () -> String, item: String, count: ClosedRange<Int> = 1...1, required: Bool = true) -> [JSONValue]? {
        guard let value else {
            if required { fail(item, .missingField, "\(path()) is missing") }
            return nil
        }
        guard case .array(let items) = value else { fail(item, .invalidValue, "\(path()) should be an array, found \(value.kind)"); return nil }
        guard count.contains(items.count) else {
            fail(item, .invalidValue, "\(path()) has \(items.count) items; the profile allows \(count.lowerBound == count.upperBound ? "exactly \(count.lowerBound)" : "\(count.lowerBound) to \(count.upperBound)")")
            return nil
        }
        return items
    }

    func string(_ value: JSONValue?, _ path: @autoclosure () -> String, item: String, required: Bool = true) -> String? {
        switch value {
        case .string(let s)? where !s.isEmpty:
            if Self.isWhitespace(s.unicodeScalars.first!) || Self.isWhitespace(s.unicodeScalars.last!) { fail(item, .invalidValue, "\(path()) has leading or trailing white space") }
            return s
        case nil, .null?, .string?:
            if required { fail(item, .missingField, "\(path()) is missing or empty") }
            return nil
        case let other?:
            fail(item, .invalidValue, "\(path()) should be a string, found \(other.kind)")
            return nil
        }
    }

    /// White space as `Character.isWhitespace` has it, without its grapheme breaking and property
    /// lookup for the ASCII letters that nearly every value starts and ends with.
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII ? scalar == " " || (0x09...0x0D).contains(scalar.value) : scalar.properties.isWhitespace
    }

    func constant(_ value: JSONValue?, _ path: @autoclosure () -> String, item: String, _ expected: String) {
        if let s = string(value, path(), item: item), s != expected { fail(item, .invalidValue, "\(path()) is '\(s.prefix(32))', the profile requires '\(expected)'") }
    }

    /// A JSON number, or (from the XML form) its decimal text.
    func number(_ value: JSONValue?, _ path: @autoclosure () -> String, item: String) -> String? {
        switch value {
        case .number(let n)?: return n
        case .string(let s)? where JSONParser.isJSONNumber(Array(s.utf8)): return s
        case nil, .null?: fail(item, .missingField, "\(path()) is missing"); return nil
        case let other?: fail(item, .invalidValue, "\(path()) should be a number, found \(other.kind)"); return nil
        }
    }

    func integer(_ value: JSONValue?, _ path: @autoclosure () -> String, item: String) -> Int? {
        guard let n = number(value, path(), item: item) else { return nil }
        guard let i = Int(n), i >= 1 else { fail(item, .invalidValue, "\(path()) should be a positive whole number, found \(n.prefix(16))"); return nil }
        return i
    }

    func date(_ value: JSONValue?, _ path: @autoclosure () -> String, item: String, required: Bool = true) -> CalendarDate? {
        guard let s = string(value, path(), item: item, required: required) else { return nil }
        return attempt { () throws(FieldError) in try CalendarDate(iso: s, field: item) }
    }

    func agency(_ value: JSONValue?, _ path: @autoclosure () -> String, item: String) -> Agency? {
        guard let s = string(value, path(), item: item) else { return nil }
        guard let a = Agency(rawValue: s), Agency.protocolAgencies.contains(a) else {
            fail(item, .invalidValue, "\(path()) '\(s.prefix(16))' is not one of \(Agency.protocolAgencies.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return a
    }
}
