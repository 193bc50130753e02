import Formats
import Foundation
import Model
import Taxonomy

/// What each agency exports in each month of a synthetic year: made from a `YearPlan` and the
/// gateways' own configurations, so that once their routing has done its work the statistics come
/// out as the plan's published figures, whatever else the plan mixes in (updates, conflicting and
/// stale versions; replays are the run's, not the documents').
///
/// Records are planned first, as a few numbers each (origin, index, month, what happens later);
/// each is made again from its own seed when a month's document is written, so a year of 300,000
/// records never sits in memory.
public struct SyntheticYear: Sendable {
    /// One record of the year.
    public struct Planned: Sendable {
        public var type: RecordType
        /// Vacancy: its origin; trainee record: the training agency (the one that exports it).
        public var origin: Agency
        public var index: Int
        public var month: Int
        public var referring: Agency?
        /// Exported again as version 3 (a vacancy filled, a training completed; the back office's
        /// version 2 was an edit never exported).
        public var updateMonth: Int?
        /// Exported again with another occupation under version 1.
        public var conflictMonth: Int?
        /// Version 2 exported after version 3 was: older than what the receivers hold.
        public var staleMonth: Int?
        /// The agencies of `between` its routing sends it to (vacancies).
        public var flows: Int
    }

    public let plan: YearPlan
    public let fiches: [FicheCode]
    public private(set) var records: [Planned] = []

    /// Plans the year. `configurations` are the exporting agencies' gateways (their routing and
    /// agreements decide where a vacancy goes).
    public init(plan: YearPlan, configurations: [Agency: GatewayConfiguration], taxonomy: Taxonomy) throws {
        self.plan = plan
        fiches = SyntheticRecords(seed: 0, taxonomy: taxonomy, year: plan.year).fiches
        guard !fiches.isEmpty else { throw GatewayError("the taxonomy in force has no fiche that every format can write") }
        var random = SeededGenerator(seed: plan.seed)
        let between = Set(plan.vacancies.between)
        // Each origin makes its share of the flows; what its routing cannot make (an odd number,
        // when it sends every vacancy to two agencies) goes to the next, and after the last back to
        // the first that can.
        var next: [Agency: (index: Int, routed: Int, notRouted: Int)] = [:]
        var carry = 0
        for pass in 0..<2 {
            for origin in plan.vacancies.between {
                guard let configuration = configurations[origin] else { throw GatewayError("the plan's vacancies come from \(origin), which has no gateway here") }
                var left = (pass == 0 ? plan.vacancyTargets[origin]! : 0) + carry
                var (index, routed, notRouted) = next[origin] ?? (0, 0, 0)
                var misses = 0
                while left > 0 && misses < 2_000 {
                    let record = make(.vacancy, origin: origin, index: index, month: 1, referring: nil)
                    let flows = configuration.routing.destinations(of: record, from: origin, hadBefore: [])
                        .filter { configuration.peers[$0]?.sends.contains(.vacancy) == true && between.contains($0) }.count
                    index += 1
                    if flows == 0 && Double(notRouted) >= Double(routed) * plan.vacancies.notRoutedPercent / 100 || flows > left {
                        misses += 1
                        continue
                    }
                    misses = 0
                    if flows == 0 { notRouted += 1 } else { routed += 1 }
                    left -= flows
                    records.append(Self.schedule(.vacancy, origin: origin, index: index - 1, referring: nil, flows: flows, traffic: plan.traffic, random: &random))
                }
                next[origin] = (index, routed, notRouted)
                carry = left
            }
        }
        guard carry == 0 else {
            throw GatewayError("the routing of \(plan.vacancies.between.map(\.rawValue).joined(separator: ", ")) cannot make exactly \(plan.vacancies.exchanged) vacancy flows (\(carry) left): one of them must send some vacancies to one agency only")
        }
        var traineeIndex: [Agency: Int] = [:]
        for flow in plan.trainees {
            guard let configuration = configurations[flow.training], configuration.pickup?.formats[.trainee] != nil else {
                throw GatewayError("the plan's trainees of \(flow.training) need its gateway to pick up trainee records")
            }
            for i in 0..<flow.count {
                let index = traineeIndex[flow.training, default: 0]
                traineeIndex[flow.training] = index + 1
                records.append(Self.schedule(.trainee, origin: flow.training, index: index, referring: flow.referring[i % flow.referring.count], flows: 1,
                                             traffic: plan.traffic, random: &random))
            }
        }
    }

    /// When a record is first exported, and what happens to it later in the year.
    static func schedule(_ type: RecordType, origin: Agency, index: Int, referring: Agency?, flows: Int, traffic: YearPlan.Traffic,
                         random: inout SeededGenerator) -> Planned {
        func chance(_ percent: Double) -> Bool { Double(random.next(1_000_000)) < percent * 10_000 }
        let month = 1 + random.next(12)
        var planned = Planned(type: type, origin: origin, index: index, month: month, referring: referring, flows: flows)
        guard month < 12 else { return planned }
        if chance(traffic.updatesPercent) {
            let update = month + 1 + random.next(12 - month)
            planned.updateMonth = update
            if update < 12 && chance(traffic.stalePercent) { planned.staleMonth = update + 1 + random.next(12 - update) }
        } else if chance(traffic.conflictsPercent) {
            planned.conflictMonth = month + 1 + random.next(12 - month)
        }
        return planned
    }

    /// The record's id: vacancies `V2019-n`, trainee records `T2019-n` (one id space per origin).
    func id(_ type: RecordType, _ index: Int) -> String { "\(type == .vacancy ? "V" : "T")\(plan.year)-\(index)" }

    /// The record as first exported: made from its own seed, so the same every time.
    func make(_ type: RecordType, origin: Agency, index: Int, month: Int, referring: Agency?) -> CanonicalRecord {
        var seed = plan.seed &* 0x9E37_79B9 &+ UInt64(index) &* 31
        for byte in (type.rawValue + origin.rawValue).utf8 { seed = seed &* 131 &+ UInt64(byte) }
        var g = SyntheticRecords(seed: seed, fiches: fiches, year: plan.year)
        switch type {
        case .vacancy:
            var v = g.vacancy(origin: origin, id: id(type, index), published: g.date(plan.year, month: month), localWorkplace: true)
            v.status = .open
            return .vacancy(v)
        case .trainee:
            return .trainee(g.trainee(agency: origin, id: id(type, index), referring: referring, month: month, status: .started))
        }
    }

    /// The records `agency` exports in `month`, of `type`, as its back office would write them.
    public func records(month: Int, agency: Agency, type: RecordType) -> [CanonicalRecord] {
        records.lazy.filter { $0.type == type && $0.origin == agency }.compactMap { p -> CanonicalRecord? in
            guard [p.month, p.staleMonth, p.updateMonth, p.conflictMonth].contains(month) else { return nil }
            let first = make(p.type, origin: p.origin, index: p.index, month: p.month, referring: p.referring)
            if p.month == month { return first }
            if p.updateMonth == month { return Self.updated(first, version: 3, year: plan.year) }
            if p.staleMonth == month { return Self.updated(first, version: 2, year: plan.year) }
            if p.conflictMonth == month { return Self.conflicting(first, fiches: fiches) }
            return nil
        }
    }

    /// A later version: the vacancy filled, the training completed.
    static func updated(_ record: CanonicalRecord, version: Int, year: Int) -> CanonicalRecord {
        switch record {
        case .vacancy(var v):
            v.version = RecordVersion(rawValue: version)!
            v.status = .filled
            return .vacancy(v)
        case .trainee(var t):
            t.version = RecordVersion(rawValue: version)!
            t.status = .completed
            t.period.actualEnd = CalendarDate(year: year, month: 12, day: 31)
            return .trainee(t)
        }
    }

    /// Version 1 again, with another occupation: a back office that changed a record without
    /// raising its version.
    static func conflicting(_ record: CanonicalRecord, fiches: [FicheCode]) -> CanonicalRecord {
        func other(_ o: Occupation) -> Occupation {
            let fiche = fiches[(fiches.firstIndex(of: o.fiche).map { $0 + 1 } ?? 0) % fiches.count]
            return Occupation(fiche: fiche, source: OccupationSource(scheme: .competent, version: "2019", code: fiche.rawValue))
        }
        switch record {
        case .vacancy(var v):
            v.occupation = other(v.occupation)
            return .vacancy(v)
        case .trainee(var t):
            t.occupation = other(t.occupation)
            return .trainee(t)
        }
    }

    /// A month's export of `agency`, in `format`; nil when it has nothing that month.
    public func document(month: Int, agency: Agency, type: RecordType, format: any RecordFormat, taxonomy: Taxonomy, created: Date) throws -> [UInt8]? {
        let records = records(month: month, agency: agency, type: type)
        guard !records.isEmpty else { return nil }
        let out = ByteWriter()
        let writer = try format.writing(out, taxonomy: taxonomy, envelope: EnvelopeFields())
        try writer.begin(sender: agency, created: created)
        for record in records {
            let (_, errors) = writer.write(record)
            guard errors.isEmpty else { throw GatewayError("\(format.format) cannot write generated record \(record.id.rawValue): \(errors.map(\.description).joined(separator: "; "))") }
        }
        writer.end()
        out.flush()
        return out.collected
    }

    /// What the plan's statistics must come out as: vacancy flows per (origin, destination)
    /// are known only after routing, so the total; trainee flows per (referring, training).
    public var expectedVacancies: Int { records.lazy.filter { $0.type == .vacancy }.map(\.flows).reduce(0, +) }
}
