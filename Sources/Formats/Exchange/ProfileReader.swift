import Model

/// Reads profile records (`exchange-records.md`) out of their JSON form, collecting every fault
/// with the profile's item name; unknown members are faults (the profile's structure is closed).
final class ProfileReader {
    private(set) var errors: [FieldError] = []
    /// What the reading noticed for staff without refusing the record (`Decoded.notes`).
    private(set) var notes: [FieldError] = []
    /// The agencies a record may name.
    let agencies: AgencyDirectory

    init(agencies: AgencyDirectory) { self.agencies = agencies }

    /// Records a fault; an item already reported missing is not reported missing again (a missing
    /// object would otherwise repeat for each of its members).
    func fail(_ item: String, _ code: RejectionCode, _ message: String) {
        if code == .missingField, errors.contains(where: { $0.field == item && $0.code == .missingField }) { return }
        errors.append(FieldError(item, code, message))
    }

    /// Keeps a note for staff on a record that is taken as it is.
    func note(_ item: String, _ code: RejectionCode, _ message: String) {
        notes.append(FieldError(item, code, message))
    }

    func attempt<T>(_ body: () throws(FieldError) -> T) -> T? {
        do { return try body() } catch { errors.append(error); return nil }
    }

    /// An object's members, after checking that it has no member outside `allowed` (a short list:
    /// looked through, not hashed). A path is only made when a fault is reported.
    func object(_ value: JSONValue?, _ path: @autoclosure () -> String, item: String, allowed: [String], required: Bool = true) -> JSONValue? {
        guard let value else {
            if required { fail(item, .missingField, "\(path()) is missing") }
            return nil
        }
        guard value != .null else { fail(item, required ? .missingField : .invalidValue, "\(path()) is null; an unknown optional value is absent"); return nil }
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

    /// A string value: not empty, no white space at its ends, no character that XML 1.0 cannot
    /// hold. An optional member is absent when unknown: `null` or `""` there is a fault too.
    func string(_ value: JSONValue?, _ path: @autoclosure () -> String, item: String, required: Bool = true) -> String? {
        switch value {
        case .string(let s)? where !s.isEmpty:
            if isProfileWhitespace(s.unicodeScalars.first!) || isProfileWhitespace(s.unicodeScalars.last!) {
                fail(item, .invalidValue, "\(path()) has leading or trailing white space")
            }
            if let character = firstNonXMLCharacter(s) {
                fail(item, .invalidValue, "\(path()) holds a character that XML 1.0 cannot hold (\(character))")
            }
            return s
        case nil:
            if required { fail(item, .missingField, "\(path()) is missing") }
            return nil
        case .null?, .string?:
            if required { fail(item, .missingField, "\(path()) is missing or empty") } else {
                fail(item, .invalidValue, "\(path()) is \(value == .null ? "null" : "empty"); an unknown optional value is absent")
            }
            return nil
        case let other?:
            fail(item, .invalidValue, "\(path()) should be a string, found \(other.kind)")
            return nil
        }
    }

    func constant(_ value: JSONValue?, _ path: @autoclosure () -> String, item: String, _ expected: String) {
        if let s = string(value, path(), item: item), s != expected { fail(item, .invalidValue, "\(path()) is '\(s.prefix(32))', the profile requires '\(expected)'") }
    }

    /// A JSON number (the XML form's readers give one for a number's text, and a string otherwise).
    func number(_ value: JSONValue?, _ path: @autoclosure () -> String, item: String) -> String? {
        switch value {
        case .number(let n)?: return n
        case nil: fail(item, .missingField, "\(path()) is missing"); return nil
        case .null?: fail(item, .missingField, "\(path()) is null"); return nil
        case let other?: fail(item, .invalidValue, "\(path()) should be a number, found \(other.kind)"); return nil
        }
    }

    /// A positive whole JSON number (`2`, not `2.0`, `"2"` or `2e0`).
    func integer(_ value: JSONValue?, _ path: @autoclosure () -> String, item: String) -> Int? {
        guard let n = number(value, path(), item: item) else { return nil }
        guard n.utf8.count <= 9, let i = Int(n), i >= 1 else { fail(item, .invalidValue, "\(path()) should be a positive whole number, found \(n.prefix(16))"); return nil }
        return i
    }

    /// A string of exactly `count` decimal digits (enterprise and national numbers: no dots, no
    /// prefix, no separators in the profile).
    func digits(_ s: String, _ count: Int) -> Bool { s.utf8.count == count && s.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }

    func date(_ value: JSONValue?, _ path: @autoclosure () -> String, item: String, required: Bool = true) -> CalendarDate? {
        guard let s = string(value, path(), item: item, required: required) else { return nil }
        return attempt { () throws(FieldError) in try CalendarDate(iso: s, field: item) }
    }

    func agency(_ value: JSONValue?, _ path: @autoclosure () -> String, item: String) -> Agency? {
        guard let s = string(value, path(), item: item) else { return nil }
        guard let a = agencies.agency(s) else {
            fail(item, .invalidValue, "\(path()) '\(s.prefix(16))' is not one of \(agencies.listed)")
            return nil
        }
        return a
    }
}
