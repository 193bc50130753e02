import Foundation
import Model
import Yams

/// The synthetic year's plan (`fixtures/year2019/plan.yaml`): the figures the agencies published,
/// which the year's statistics must reproduce, and the traffic mixed in that must not change them.
public struct YearPlan: Sendable, Decodable {
    public struct Vacancies: Sendable, Decodable {
        /// Distinct vacancies received by each agency of `between` from the others, summed.
        public var exchanged: Int
        public var between: [Agency]
        /// Each origin's part of `exchanged`; the last of `between` takes what is left.
        public var origins: [String: Double]
        /// Vacancies exported that go to none of the others, per 100 that do.
        public var notRoutedPercent: Double
    }

    /// Trainees referred by `referring` (one agency, or a published pair that the records
    /// alternate between) and trained by `training`.
    public struct TraineeFlow: Sendable, Decodable {
        public var referring: [Agency]
        public var training: Agency
        public var count: Int
    }

    public struct Traffic: Sendable, Decodable {
        public var updatesPercent: Double
        public var conflictsPercent: Double
        public var stalePercent: Double
        public var replaysPercent: Double
    }

    public var year: Int
    public var seed: UInt64
    public var vacancies: Vacancies
    public var trainees: [TraineeFlow]
    public var traffic: Traffic

    /// Reads and checks a plan; faults name the file and what is wrong.
    public static func load(_ path: String) throws -> YearPlan {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { throw GatewayError("\(path): cannot be read") }
        let plan: YearPlan
        do {
            plan = try YAMLDecoder().decode(YearPlan.self, from: text)
        } catch let DecodingError.keyNotFound(key, context) {
            throw GatewayError("\(path): \((context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: ".")) is missing")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context), let DecodingError.dataCorrupted(context) {
            throw GatewayError("\(path): \(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)")
        } catch {
            throw GatewayError("\(path): \(error)")
        }
        try plan.check(path)
        return plan
    }

    func check(_ path: String) throws {
        func fail(_ message: String) -> GatewayError { GatewayError("\(path): \(message)") }
        guard (1900...2100).contains(year) else { throw fail("year \(year) is not a plausible year") }
        guard vacancies.exchanged >= 0, Set(vacancies.between).count == vacancies.between.count, vacancies.between.count >= 2 else {
            throw fail("vacancies: between names two agencies or more, each once, and exchanged is 0 or more")
        }
        for (key, share) in vacancies.origins {
            guard let agency = Agency(rawValue: key), vacancies.between.contains(agency) else { throw fail("vacancies.origins.\(key) is not one of between") }
            guard (0...1).contains(share) else { throw fail("vacancies.origins.\(key): a share is between 0 and 1") }
        }
        guard vacancies.origins.values.reduce(0, +) <= 1.000001 else { throw fail("vacancies.origins: the shares add up to more than 1") }
        for (i, flow) in trainees.enumerated() {
            guard flow.count >= 0, !flow.referring.isEmpty, !flow.referring.contains(flow.training) else {
                throw fail("trainees[\(i)]: a flow goes from referring agencies to another training agency, with a count of 0 or more")
            }
        }
        for (name, value) in [("updatesPercent", traffic.updatesPercent), ("conflictsPercent", traffic.conflictsPercent),
                              ("stalePercent", traffic.stalePercent), ("replaysPercent", traffic.replaysPercent),
                              ("vacancies.notRoutedPercent", vacancies.notRoutedPercent)] where !(0...100).contains(value) {
            throw fail("\(name): a percentage is between 0 and 100")
        }
    }

    /// The flows each origin of `between` is to make: its share, and the rest for the last.
    var vacancyTargets: [Agency: Int] {
        var targets: [Agency: Int] = [:]
        var left = vacancies.exchanged
        for (i, agency) in vacancies.between.enumerated() {
            let n = i == vacancies.between.count - 1 ? left : min(left, Int((Double(vacancies.exchanged) * (vacancies.origins[agency.rawValue] ?? 0)).rounded()))
            targets[agency] = n
            left -= n
        }
        return targets
    }
}
