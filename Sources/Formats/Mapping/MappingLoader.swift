import Model
import Yams

/// A mapping file that cannot be used, with the file and line at fault: a start-up error.
public typealias MappingError = SourceFault

/// Reads and checks a format mapping (`mappings/formats/*.yaml`).
public struct MappingLoader {
    let file: String
    let name: String
    /// Path steps are separated by `.` in JSON formats, `/` in XML formats (`metier/@codeRome`).
    var separator: Character = "."

    /// The agencies a format's `agencies:` may name: the directory's. It must spell each agency of
    /// the exchange profile; one added beyond them it may leave out (a record naming it is then
    /// refused when written in this format, saying so).
    var directory: AgencyDirectory = .profile

    public static func load(yaml: String, file: String, name: String, agencies: AgencyDirectory = .profile) throws(MappingError) -> FormatMapping {
        var loader = MappingLoader(file: file, name: name)
        loader.directory = agencies
        return try loader.mapping(yaml)
    }

    func fail(_ node: Node?, _ message: String) -> MappingError {
        MappingError(file: file, line: node?.mark?.line ?? 1, message)
    }

    /// The file's root node; a file that is empty or not YAML is a fault with its line.
    func compose(_ yaml: String) throws(MappingError) -> Node {
        do {
            guard let node = try Yams.compose(yaml: yaml) else { throw fail(nil, "the file is empty") }
            return node
        } catch let error as MappingError {
            throw error
        } catch let error as YamlError {
            throw MappingError(file: file, line: Self.line(of: error), "not valid YAML: \(error)")
        } catch {
            throw MappingError(file: file, line: 1, "not valid YAML: \(error)")
        }
    }

    mutating func mapping(_ yaml: String) throws(MappingError) -> FormatMapping {
        let root = try compose(yaml)
        let top = try members(root, allowed: ["format", "recordType", "syntax", "encoding", "document", "agencies", "fields"], what: "the mapping")
        let recordTypeNode = try required(top, "recordType", in: root)
        guard let recordType = RecordType(rawValue: try scalar(recordTypeNode)) else {
            throw fail(recordTypeNode, "recordType is vacancy or trainee")
        }
        let syntaxNode = try required(top, "syntax", in: root)
        guard let syntax = FormatMapping.Syntax(rawValue: try scalar(syntaxNode)) else { throw fail(syntaxNode, "syntax is json or xml") }
        let encodingNode = try required(top, "encoding", in: root)
        let encoding = try scalar(encodingNode)
        guard ["UTF-8", "ISO-8859-1"].contains(encoding) else { throw fail(encodingNode, "encoding is UTF-8 or ISO-8859-1") }

        let documentNode = try required(top, "document", in: root)
        let d = try members(documentNode, allowed: ["root", "namespace", "records", "sender", "created", "createdPattern"], what: "document")
        separator = syntax == .xml ? "/" : "."
        let rootName = try d["root"].map { n throws(MappingError) in try scalar(n) }
        if syntax == .xml && rootName == nil { throw fail(documentNode, "an XML format names its root element (root)") }
        let patternNode = try required(d, "createdPattern", in: documentNode)
        guard let createdPattern = TimestampPattern(rawValue: try scalar(patternNode)) else {
            throw fail(patternNode, "createdPattern is one of \(TimestampPattern.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let document = DocumentRule(root: rootName, namespace: try d["namespace"].map { n throws(MappingError) in try scalar(n) },
                                    records: try scalar(try required(d, "records", in: documentNode)),
                                    sender: try scalar(try required(d, "sender", in: documentNode)),
                                    created: try scalar(try required(d, "created", in: documentNode)),
                                    createdPattern: createdPattern)

        let agenciesNode = try required(top, "agencies", in: root)
        let agencies = try codeList(agenciesNode, canonical: directory.codes.map(\.rawValue), what: "agencies",
                                    required: AgencyDirectory.profile.codes.map(\.rawValue))

        let fieldsNode = try required(top, "fields", in: root)
        guard case .mapping(let fieldMap) = fieldsNode else { throw fail(fieldsNode, "fields is a mapping of canonical field → rule") }
        var fields: [(CanonicalField, FieldRule)] = []
        for (keyNode, ruleNode) in fieldMap {
            let key = try scalar(keyNode)
            guard let field = CanonicalField(rawValue: key) else {
                throw fail(keyNode, "unknown canonical field '\(key)' (known: \(CanonicalField.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            guard field.recordTypes.contains(recordType) else { throw fail(keyNode, "\(key) is not a field of a \(recordType.rawValue) record") }
            guard !fields.contains(where: { $0.0 == field }) else { throw fail(keyNode, "\(key) is mapped twice") }
            fields.append((field, try rule(ruleNode, for: field, recordType: recordType)))
        }
        let titlesByLanguage = fields.first { $0.0 == .title }?.1.languageKey != nil
        for field in CanonicalField.required(for: recordType) where !fields.contains(where: { $0.0 == field }) {
            if field == .titleLanguage && titlesByLanguage { continue }
            throw fail(fieldsNode, "the mapping does not say where \(field.rawValue) is (required for a \(recordType.rawValue))")
        }
        var mapping = FormatMapping(name: name, format: try scalar(try required(top, "format", in: root)), recordType: recordType,
                                    syntax: syntax, encoding: encoding, document: document, agencies: agencies, fields: fields)
        mapping.traineeRules = directory.traineeRules
        return mapping
    }

    static let ruleKeys: Set<String> = ["path", "value", "default", "optional", "codes", "lossy", "pattern", "decimal",
                                        "true", "false", "spelling", "absent", "language", "level", "levels", "languageKey",
                                        "fractionDigits", "personal", "languagesHeld"]

    func rule(_ node: Node, for field: CanonicalField, recordType: RecordType) throws(MappingError) -> FieldRule {
        let rule = FieldRule()
        if case .scalar = node {
            rule.path = try path(node)
        } else {
            let m = try members(node, allowed: Self.ruleKeys, what: "the rule for \(field.rawValue)")
            if let p = m["path"] { rule.path = try path(p) }
            if let v = m["value"] { rule.constant = try scalar(v) }
            guard rule.path != nil || rule.constant != nil else {
                throw fail(node, "the rule for \(field.rawValue) needs a path, a value, or both (a value the format always writes there)")
            }
            if let v = m["default"] { rule.defaultValue = try scalar(v) }
            if let v = m["languageKey"] {
                guard field == .title || field == .description else { throw fail(v, "languageKey applies to title and description") }
                rule.languageKey = try path(v)
            }
            if let v = m["languagesHeld"] {
                guard field == .title, rule.languageKey != nil, case .sequence(let items) = v, !items.isEmpty else {
                    throw fail(v, "languagesHeld applies to a title with a languageKey, and lists language codes ([fr, nl])")
                }
                rule.languagesHeld = try items.map { item throws(MappingError) in
                    guard let code = LanguageCode(rawValue: try scalar(item)) else { throw fail(item, "'\(try scalar(item))' is not a two-letter language code") }
                    return code
                }
            }
            if let v = m["optional"] { rule.optional = try bool(v) }
            if let v = m["personal"] { rule.personal = try bool(v) }
            if let v = m["absent"] {
                guard let style = AbsentStyle(rawValue: try scalar(v)) else { throw fail(v, "absent is omit, null or empty") }
                rule.absent = style
            }
            if let v = m["spelling"] {
                let allowed = field.kind == .enterpriseNumber ? ["digits", "dotted", "vat"] : field.kind == .nationalNumber ? ["digits", "formatted"] : []
                guard allowed.contains(try scalar(v)) else {
                    throw fail(v, allowed.isEmpty ? "spelling applies to enterprise and national numbers only" : "spelling is one of \(allowed.joined(separator: ", "))")
                }
                rule.spelling = try scalar(v)
            }
            if let v = m["pattern"] {
                guard field.kind == .date, let pattern = DatePattern(rawValue: try scalar(v)) else {
                    throw fail(v, "pattern applies to dates and is one of \(DatePattern.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                rule.date = pattern
            }
            if let v = m["decimal"] {
                let text = try scalar(v)
                guard field.kind == .decimal, text == "number" || text == "," || text == "." else {
                    throw fail(v, "decimal applies to decimal fields and is number, \",\" or \".\"")
                }
                rule.decimal = text == "number" ? .number : .string(separator: Character(text))
            }
            if let v = m["fractionDigits"] {
                guard field.kind == .decimal, let n = Int(try scalar(v)), (0...2).contains(n) else {
                    throw fail(v, "fractionDigits applies to decimal fields and is 0, 1 or 2 (the fewest decimals written)")
                }
                rule.fractionDigits = n
            }
            if m["true"] != nil || m["false"] != nil {
                guard field.kind == .boolean, let yes = m["true"], let no = m["false"] else {
                    throw fail(node, "true and false spellings go together, on a boolean field")
                }
                rule.boolean = (try scalar(yes), try scalar(no))
            }
            if let v = m["codes"] {
                guard let canonical = field.canonicalValues(for: recordType) else { throw fail(v, "\(field.rawValue) has no code list") }
                rule.codes = try codeList(v, canonical: canonical, what: "the codes of \(field.rawValue)", scheme: field == .scheme)
                if let lossy = m["lossy"] { rule.codes!.lossyToNative = try lossyList(lossy, codes: rule.codes!) }
            }
            if field.kind == .languages {
                guard let l = m["language"], let lv = m["level"] else { throw fail(node, "languages needs the item's language and level paths") }
                rule.itemLanguage = try path(l)
                rule.itemLevel = try path(lv)
                if let levels = m["levels"] {
                    rule.codes = try codeList(levels, canonical: CEFRLevel.allCases.map(\.rawValue), what: "levels", partial: true)
                    if let lossy = m["lossy"] { rule.codes!.lossyToNative = try lossyList(lossy, codes: rule.codes!) }
                }
            }
        }
        if field.kind == .codes, rule.codes == nil, rule.constant == nil {
            throw fail(node, "\(field.rawValue) needs its codes (native value: canonical value)")
        }
        if field.kind == .languages, rule.itemLanguage == nil { throw fail(node, "languages needs the item's language and level paths") }
        return rule
    }

    /// A native → canonical list. Complete unless `partial`: every canonical value must have a
    /// native value, and none may have two.
    /// A code list of native value: canonical value; every value of `required` (by default every
    /// canonical value, none when `partial`) must have its native value.
    func codeList(_ node: Node, canonical: [String], what: String, scheme: Bool = false, partial: Bool = false,
                  required: [String]? = nil) throws(MappingError) -> CodeList {
        guard case .mapping(let pairs) = node else { throw fail(node, "\(what) is a mapping of native value: canonical value") }
        var list = CodeList(toCanonical: [:], toNative: [:])
        for (k, v) in pairs {
            let native = try scalar(k), value = try scalar(v)
            let known = canonical.contains(value) || (scheme && value.hasPrefix("IN_COMPANY:") && value.count > "IN_COMPANY:".count)
            guard known else { throw fail(v, "'\(value)' is not a canonical value of \(what) (\(canonical.joined(separator: ", "))\(scheme ? ", IN_COMPANY:<native name>" : ""))") }
            guard list.toCanonical[native] == nil else { throw fail(k, "'\(native)' appears twice in \(what)") }
            guard list.toNative[value] == nil else { throw fail(v, "\(value) has two native values in \(what)") }
            list.toCanonical[native] = value
            list.toNative[value] = native
        }
        let missing = (partial ? [] : required ?? canonical).filter { list.toNative[$0] == nil }
        if !missing.isEmpty {
            throw fail(node, "incomplete code list: \(what) has no native value for \(missing.joined(separator: ", "))")
        }
        if scheme && !list.toNative.keys.contains(where: { $0.hasPrefix("IN_COMPANY:") }) {
            throw fail(node, "incomplete code list: \(what) has no in-company scheme (IN_COMPANY:<native name>)")
        }
        return list
    }

    /// Canonical values the format cannot hold, each with the native value written instead (a loss).
    func lossyList(_ node: Node, codes: CodeList) throws(MappingError) -> [String: String] {
        guard case .mapping(let pairs) = node else { throw fail(node, "lossy is a mapping of canonical value: native value written instead") }
        var result: [String: String] = [:]
        for (k, v) in pairs {
            let canonical = try scalar(k), native = try scalar(v)
            guard codes.toCanonical[native] != nil else { throw fail(v, "lossy writes '\(native)', which is not in the code list") }
            guard codes.toNative[canonical] == nil else { throw fail(k, "\(canonical) is in the code list already; lossy is for values it lacks") }
            result[canonical] = native
        }
        return result
    }

    func members(_ node: Node, allowed: Set<String>, what: String) throws(MappingError) -> [String: Node] {
        guard case .mapping(let pairs) = node else { throw fail(node, "\(what) is a mapping") }
        var result: [String: Node] = [:]
        for (k, v) in pairs {
            let key = try scalar(k)
            guard allowed.contains(key) else {
                throw fail(k, "unknown key '\(key)' in \(what)\(NearMiss.phrase(for: key, among: allowed)) (allowed: \(allowed.sorted().joined(separator: ", ")))")
            }
            guard result[key] == nil else { throw fail(k, "'\(key)' appears twice in \(what)") }
            result[key] = v
        }
        return result
    }

    func required(_ m: [String: Node], _ key: String, in node: Node) throws(MappingError) -> Node {
        guard let v = m[key] else { throw fail(node, "'\(key)' is missing") }
        return v
    }

    func scalar(_ node: Node) throws(MappingError) -> String {
        guard case .scalar(let s) = node else { throw fail(node, "expected a single value") }
        return s.string
    }

    func bool(_ node: Node) throws(MappingError) -> Bool {
        switch try scalar(node) {
        case "true": return true
        case "false": return false
        default: throw fail(node, "expected true or false")
        }
    }

    func path(_ node: Node) throws(MappingError) -> [String] {
        let text = try scalar(node)
        let steps = text.split(separator: separator, omittingEmptySubsequences: false).map(String.init)
        guard !text.isEmpty, steps.allSatisfy({ !$0.isEmpty }) else {
            throw fail(node, "'\(text)' is not a path (names separated by '\(separator)')")
        }
        return steps
    }

    static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        default: 1
        }
    }
}
