import Model

/// The element structure that one XML form of a profile record allows (`exchange-records.md` §5):
/// each element's name and namespace, its attributes (required, or fixed to one value), and its
/// children in the order the profile gives, each at most so many times. The structure is closed:
/// an element, attribute or namespace it does not list is a fault, never dropped.
///
/// Checking the shape comes before reading the values: the XML form is then turned into the JSON
/// form, whose decoder checks every value and reports what is missing.
///
/// ```swift
/// let address = XMLShape("Address", VacancyXML.hrxml, item: "postcode", children: [
///     .init(XMLShape("CityName", VacancyXML.oagis, item: "municipality")),
///     .init(XMLShape("PostalCode", VacancyXML.oagis, item: "postcode")),
/// ])
/// var faults: [FieldError] = []
/// address.check(element, path: { "Address" }, into: &faults)
/// ```
struct XMLShape: Sendable {
    struct Attribute: Sendable {
        var name: String
        var required = false
        /// The only value the profile allows, if it fixes one.
        var fixed: String?
    }

    struct Child: Sendable {
        var shape: XMLShape
        var most: Int
        /// An optional value: absent when unknown, never an empty element (a required one that is
        /// empty is reported missing by the values' decoder).
        var optional: Bool
        init(_ shape: XMLShape, most: Int = 1, optional: Bool = false) { self.shape = shape; self.most = most; self.optional = optional }
    }

    var name: String
    var namespace: String
    /// The profile item a fault in this element is reported under (a receipt's `field`).
    var item: String
    var attributes: [Attribute]
    /// Empty for an element that holds text.
    var children: [Child]

    init(_ name: String, _ namespace: String, item: String, attributes: [Attribute] = [], children: [Child] = []) {
        self.name = name
        self.namespace = namespace
        self.item = item
        self.attributes = attributes
        self.children = children
    }

    /// Whether `element` is this element: its local name and namespace.
    func names(_ element: XMLElement) -> Bool { element.name == name && element.namespace == namespace }

    /// Checks `element` (already known to be this one) and everything under it. `path` names it in
    /// a fault's message, and is only made for one.
    func check(_ element: XMLElement, path: () -> String, into faults: inout [FieldError]) {
        for a in element.attributes {
            guard a.namespace == nil, let rule = attributes.first(where: { $0.name == a.name }) else {
                faults.append(FieldError(item, .invalidValue, "\(path())/@\(a.name) is not an attribute the profile allows"))
                continue
            }
            if let fixed = rule.fixed, a.value != fixed {
                faults.append(FieldError(item, .invalidValue, "\(path())/@\(a.name) is '\(a.value.prefix(16))', the profile requires '\(fixed)'"))
            }
        }
        for rule in attributes where rule.required && element.attribute(rule.name) == nil {
            faults.append(FieldError(item, .missingField, "\(path())/@\(rule.name) is missing"))
        }
        if children.isEmpty {
            if let first = element.children.first {
                faults.append(FieldError(item, .invalidValue, "\(path()) holds text in the profile, not elements (<\(first.name)>)"))
            }
            return
        }
        if !element.text.isEmpty {
            faults.append(FieldError(item, .invalidValue, "\(path()) holds elements in the profile, not text"))
        }
        var position = 0
        var counts = [Int](repeating: 0, count: children.count)
        for child in element.children {
            func childPath() -> String { "\(path())/\(child.name)" }
            // The next rule for this element, at or after the last one used (a rule used up gives
            // way to a later one of the same name: the main PositionProfile, then translations).
            if let i = (position..<children.count).first(where: { children[$0].shape.names(child) && counts[$0] < children[$0].most }) {
                position = i
                counts[i] += 1
                if children[i].optional, children[i].shape.children.isEmpty, child.children.isEmpty, child.text.isEmpty {
                    faults.append(FieldError(children[i].shape.item, .invalidValue, "\(childPath()) is empty; an unknown optional value is left out"))
                }
                children[i].shape.check(child, path: childPath, into: &faults)
            } else if let rule = children.first(where: { $0.shape.name == child.name }) {
                if rule.shape.namespace != child.namespace {
                    faults.append(FieldError(rule.shape.item, .invalidValue,
                                             "\(childPath()) is in namespace \(child.namespace ?? "none"), the profile puts it in \(rule.shape.namespace)"))
                } else if children[position...].contains(where: { $0.shape.names(child) }) || counts[children.firstIndex { $0.shape.names(child) }!] > 0 {
                    faults.append(FieldError(rule.shape.item, .invalidValue, "\(childPath()) appears more often than the profile allows (\(rule.most))"))
                } else {
                    faults.append(FieldError(rule.shape.item, .invalidValue, "\(childPath()) is out of the order the profile gives"))
                }
            } else {
                faults.append(FieldError(item, .invalidValue, "\(childPath()) is not an element the profile allows here"))
            }
        }
    }
}
