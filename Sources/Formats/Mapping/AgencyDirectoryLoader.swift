import Model
import Yams

/// Reads and checks the agency directory (`mappings/agencies.yaml`): a fault names the file and
/// line. The five agencies of the exchange profile must be there with the profile's in-company
/// schemes; any further body is the file's to declare.
public enum AgencyDirectoryLoader {
    public static func load(yaml: String, file: String) throws(MappingError) -> AgencyDirectory {
        let nodes = MappingLoader(file: file, name: "agencies")
        let root = try nodes.compose(yaml)
        let top = try nodes.members(root, allowed: ["agencies"], what: "the agency directory")
        let list = try nodes.required(top, "agencies", in: root)
        guard case .sequence(let items) = list, !items.isEmpty else { throw nodes.fail(list, "agencies is a list of agencies (- code: …)") }
        var entries: [AgencyDirectory.Entry] = []
        for item in items {
            let entry = try self.entry(item, nodes)
            guard !entries.contains(where: { $0.code == entry.code }) else { throw nodes.fail(item, "\(entry.code) appears twice") }
            entries.append(entry)
        }
        for fixed in AgencyDirectory.profile.entries {
            guard let entry = entries.first(where: { $0.code == fixed.code }) else {
                throw nodes.fail(list, "\(fixed.code) is missing: the exchange profile's agencies (\(AgencyDirectory.profile.listed)) are all listed")
            }
            let given = entry.inCompanySchemes.map(\.nativeName), profile = fixed.inCompanySchemes.map(\.nativeName)
            guard entry.trains == fixed.trains, Set(given) == Set(profile) else {
                let item = items[entries.firstIndex { $0.code == fixed.code }!]
                throw nodes.fail(item, "\(fixed.code) " + (fixed.trains ? "trains under the profile's in-company schemes \(profile.joined(separator: ", ")) (exchange-records.md §3)"
                                                                        : "trains nobody in the exchange profile (trains: false, no in-company scheme)"))
            }
        }
        do {
            return try AgencyDirectory(entries)
        } catch {
            throw nodes.fail(list, error.description)
        }
    }

    static func entry(_ node: Node, _ nodes: MappingLoader) throws(MappingError) -> AgencyDirectory.Entry {
        let m = try nodes.members(node, allowed: ["code", "names", "languages", "trains", "inCompanySchemes", "regions"], what: "an agency")
        let codeNode = try nodes.required(m, "code", in: node)
        let text = try nodes.scalar(codeNode)
        guard let code = Agency(rawValue: text) else {
            throw nodes.fail(codeNode, "'\(text.prefix(20))' is not an agency code (2 to 16 capital letters, digits, - or _, starting with a letter)")
        }
        let names = try self.names(try nodes.required(m, "names", in: node), of: text, nodes, required: true)
        let languages = try list(try nodes.required(m, "languages", in: node), nodes,
                                 expected: "languages is a list of ISO 639-1 codes, the agency's own first ([fr], [fr, nl])",
                                 invalid: { "'\($0.prefix(8))' is not an ISO 639-1 language code" }, LanguageCode.init(rawValue:))
        let trains = try nodes.bool(try nodes.required(m, "trains", in: node))
        var schemes: [AgencyDirectory.InCompanyScheme] = []
        if let schemesNode = m["inCompanySchemes"] {
            guard case .mapping(let pairs) = schemesNode else { throw nodes.fail(schemesNode, "inCompanySchemes is a mapping of native name: its names by language") }
            guard trains else { throw nodes.fail(schemesNode, "\(text) trains nobody (trains: false), so it runs no in-company scheme") }
            for (key, value) in pairs {
                let native = try nodes.scalar(key)
                guard !native.isEmpty, native.count <= 40 else { throw nodes.fail(key, "an in-company scheme's native name is 1 to 40 characters") }
                guard !schemes.contains(where: { $0.nativeName == native }) else { throw nodes.fail(key, "'\(native)' appears twice in inCompanySchemes") }
                schemes.append(AgencyDirectory.InCompanyScheme(nativeName: native, names: try self.names(value, of: native, nodes, required: false)))
            }
        }
        let allRegions = Region.allCases.map(\.rawValue).joined(separator: ", ")
        let regions = try list(try nodes.required(m, "regions", in: node), nodes, expected: "regions is a list of \(allRegions)",
                               invalid: { "'\($0.prefix(40))' is not a region (\(allRegions))" }, Region.init(rawValue:))
        return AgencyDirectory.Entry(code: code, names: names, languages: languages, trains: trains, inCompanySchemes: schemes, regions: regions)
    }

    /// A non-empty YAML list, each item read by `parse`: `expected` says what the list is, `invalid`
    /// what an item `parse` refuses is not.
    static func list<Value>(_ node: Node, _ nodes: MappingLoader, expected: String, invalid: (String) -> String,
                            _ parse: (String) -> Value?) throws(MappingError) -> [Value] {
        guard case .sequence(let items) = node, !items.isEmpty else { throw nodes.fail(node, expected) }
        var values: [Value] = []
        for item in items {
            let text = try nodes.scalar(item)
            guard let value = parse(text) else { throw nodes.fail(item, invalid(text)) }
            values.append(value)
        }
        return values
    }

    /// Names by language; the agency's own must be in French, Dutch and German (the dashboard's languages).
    static func names(_ node: Node, of what: String, _ nodes: MappingLoader, required: Bool) throws(MappingError) -> [LanguageCode: String] {
        guard case .mapping(let pairs) = node else { throw nodes.fail(node, "the names of \(what) are a mapping of language: name (fr: …, nl: …, de: …)") }
        var names: [LanguageCode: String] = [:]
        for (key, value) in pairs {
            let code = try nodes.scalar(key)
            guard let language = LanguageCode(rawValue: code) else { throw nodes.fail(key, "'\(code.prefix(8))' is not an ISO 639-1 language code") }
            guard names[language] == nil else { throw nodes.fail(key, "\(code) appears twice in the names of \(what)") }
            let name = try nodes.scalar(value)
            guard !name.isEmpty, name.count <= 200 else { throw nodes.fail(value, "a name is 1 to 200 characters") }
            names[language] = name
        }
        if required {
            let missing = [LanguageCode.french, .dutch, .german].filter { names[$0] == nil }
            guard missing.isEmpty else { throw nodes.fail(node, "\(what) has no name in \(missing.map(\.rawValue).joined(separator: ", ")) (names in fr, nl and de)") }
        }
        return names
    }
}
