import Formats
import Foundation
import Gateway
import LedgerTestSupport
import Model
import Testing

@Suite("Routing rules: each kind, the memory of earlier routes, and the configuration's faults", .bounded)
struct RoutingTests {
    var generator = RecordGenerator(seed: 7)

    mutating func vacancy(bottleneck: Bool = false, postcode: String = "1000", fiche: String = "M1805", status: VacancyStatus = .open,
                          published: String = "2026-11-01", closing: String? = nil) throws -> CanonicalRecord {
        var v = generator.vacancy(origin: .forem, index: 1)
        v.bottleneck = bottleneck
        v.workplace = Workplace(postcode: try Postcode(postcode), municipality: "X")
        v.occupation.fiche = FicheCode(rawValue: fiche)!
        v.status = status
        v.publicationDate = try CalendarDate(iso: published, field: "p")
        v.closingDate = try closing.map { try CalendarDate(iso: $0, field: "c") }
        return .vacancy(v)
    }

    @Test("bottleneck occupations")
    mutating func bottleneck() throws {
        let rule = RoutingRule(recordType: .vacancy, destination: .peers([.vdab, .actiris]), bottleneck: true)
        #expect(rule.destinations(of: try vacancy(bottleneck: true)) == [.vdab, .actiris])
        #expect(rule.destinations(of: try vacancy(bottleneck: false)).isEmpty)
    }

    @Test("open for at least N days: from publication to closing; without a closing date, open as long as it takes")
    mutating func openDays() throws {
        let rule = RoutingRule(recordType: .vacancy, destination: .peers([.vdab]), minimumOpenDays: 28)
        #expect(rule.destinations(of: try vacancy(published: "2026-11-01", closing: "2026-11-29")) == [.vdab])   // 28 days
        #expect(rule.destinations(of: try vacancy(published: "2026-11-01", closing: "2026-11-28")).isEmpty)     // 27
        #expect(rule.destinations(of: try vacancy(published: "2026-11-01", closing: nil)) == [.vdab])
    }

    @Test("workplace region, occupation domain by prefix, status")
    mutating func regionDomainStatus() throws {
        let region = RoutingRule(recordType: .vacancy, destination: .peers([.adg]), regions: [.wallonia, .germanSpeakingCommunity])
        #expect(region.destinations(of: try vacancy(postcode: "4700")) == [.adg])   // Eupen
        #expect(region.destinations(of: try vacancy(postcode: "5000")) == [.adg])   // Namur
        #expect(region.destinations(of: try vacancy(postcode: "9000")).isEmpty)     // Gent
        let domain = RoutingRule(recordType: .vacancy, destination: .peers([.vdab]), occupations: ["H29", "M1805"])
        #expect(domain.destinations(of: try vacancy(fiche: "H2913")) == [.vdab])
        #expect(domain.destinations(of: try vacancy(fiche: "M1805")) == [.vdab])
        #expect(domain.destinations(of: try vacancy(fiche: "M1802")).isEmpty)
        let open = RoutingRule(recordType: .vacancy, destination: .peers([.vdab]), statuses: ["OPEN"])
        #expect(open.destinations(of: try vacancy(status: .filled)).isEmpty)
        // Every condition of a rule must hold.
        let both = RoutingRule(recordType: .vacancy, destination: .peers([.vdab]), bottleneck: true, regions: [.brussels])
        #expect(both.destinations(of: try vacancy(bottleneck: true, postcode: "1000")) == [.vdab])
        #expect(both.destinations(of: try vacancy(bottleneck: true, postcode: "9000")).isEmpty)
    }

    @Test("a trainee record goes to its referring agency; a vacancy rule never takes a trainee record")
    mutating func referring() throws {
        var t = generator.trainee(agency: .forem, index: 1)
        t.referringAgency = .bf
        let rule = RoutingRule(recordType: .trainee, destination: .referring)
        #expect(rule.destinations(of: .trainee(t)) == [.bf])
        #expect(RoutingRule(recordType: .vacancy, destination: .peers([.vdab])).destinations(of: .trainee(t)).isEmpty)
        // Its own trainee, referred by itself, goes nowhere.
        t.referringAgency = .forem
        #expect(Routing(rules: [rule]).destinations(of: .trainee(t), from: .forem, hadBefore: []).isEmpty)
    }

    @Test("an update or a closure follows a record to every peer that had it, whatever the rules say now")
    mutating func follows() throws {
        let routing = Routing(rules: [RoutingRule(recordType: .vacancy, destination: .peers([.vdab]), statuses: ["OPEN"])])
        let closed = try vacancy(status: .filled)
        #expect(routing.destinations(of: closed, from: .forem, hadBefore: []).isEmpty)
        #expect(routing.destinations(of: closed, from: .forem, hadBefore: [.vdab, .adg]) == [.vdab, .adg])
    }

    @Test("the configuration's routes: parsed, and a wrong one stops the start naming the key", arguments: [
        ("- type: vacancy\n  to: [ADG]", "routes[0].to: FOREM → ADG is not agreed for vacancy records"),
        ("- type: vacancy\n  to: referring", "routes[0].to: referring is a trainee record's referring agency"),
        ("- type: vacancy\n  to: [VDAB]\n  when: { region: [MARS] }", "routes[0].when.region: 'MARS' is not one of"),
        ("- type: vacancy\n  to: [VDAB]\n  when: { openDays: soon }", "routes[0].when.openDays: expected a number of days"),
        ("- type: vacancy\n  to: [VDAB]\n  when: { occupation: [Z12] }", "routes[0].when.occupation: 'Z12' is not a ROME"),
        ("- type: trainee\n  to: referring\n  when: { bottleneck: true }", "routes[0].when: bottleneck, openDays and region are conditions on vacancies"),
        ("- type: vacancy\n  to: [VDAB]\n  when: { colour: red }", "routes[0].when.colour: unknown setting"),
    ])
    func configurationFaults(_ routes: String, _ message: String) throws {
        let temp = TemporaryFolder()
        let config = try Self.configuration(in: temp, routes: routes)
        #expect { try GatewayConfiguration.load(config) } throws: { error in
            "\(error)".contains(message) && "\(error)".contains("forem.yaml:")
        }
    }

    @Test("the configuration's routes as parsed")
    func configurationParsed() throws {
        let temp = TemporaryFolder()
        let config = try Self.configuration(in: temp, routes: """
            - type: vacancy
              to: [VDAB]
              when: { bottleneck: true, openDays: 14, region: [BRUSSELS], occupation: [M18], status: [OPEN] }
            - type: trainee
              to: referring
            """)
        let c = try GatewayConfiguration.load(config)
        #expect(c.routing.rules == [
            RoutingRule(recordType: .vacancy, destination: .peers([.vdab]), bottleneck: true, minimumOpenDays: 14, regions: [.brussels],
                        occupations: ["M18"], statuses: ["OPEN"]),
            RoutingRule(recordType: .trainee, destination: .referring),
        ])
        #expect(c.pickup == PickupSettings(folder: temp.path("outgoing"), formats: [.vacancy: "forem", .trainee: "forem"], schedule: .timesOfDay([360, 1080])))
    }

    /// Le Forem's configuration with VDAB as its only peer, and the given routes.
    static func configuration(in temp: TemporaryFolder, routes: String) throws -> String {
        try temp.keys("vdab-to-forem.key", "forem-to-vdab.key", "forem-payload.key")
        return try temp.write("forem.yaml", """
            agency: FOREM
            listen: 127.0.0.1:0
            store: forem.sqlite
            payloadKeyFile: forem-payload.key
            delivery:
              folder: incoming
              vacancy: forem
              trainee: forem
            pickup:
              folder: outgoing
              at: ["18:00", "06:00"]
              vacancy: forem
              trainee: forem
            peers:
              VDAB:
                url: http://127.0.0.1:9
                receiveKeyFile: vdab-to-forem.key
                sendKeyFile: forem-to-vdab.key
                receive: [vacancy, trainee]
                send: [vacancy, trainee]
            routes:
            \(routes.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
            """)
    }
}

@Suite("Schedules", .bounded)
struct ScheduleTests {
    @Test("every so often, or the next time of day (tomorrow's first after the last)")
    func next() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Europe/Brussels")!
        let at = { (text: String) in ISO8601DateFormatter().date(from: text)! }
        #expect(Schedule.every(300).next(after: at("2026-11-22T10:00:00Z")) == at("2026-11-22T10:05:00Z"))
        let times = Schedule.timesOfDay([360, 1080])   // 06:00 and 18:00 in Brussels (UTC+1 in November)
        #expect(times.next(after: at("2026-11-22T04:59:00Z"), calendar: calendar) == at("2026-11-22T05:00:00Z"))
        #expect(times.next(after: at("2026-11-22T05:00:00Z"), calendar: calendar) == at("2026-11-22T17:00:00Z"))
        #expect(times.next(after: at("2026-11-22T18:00:00Z"), calendar: calendar) == at("2026-11-23T05:00:00Z"))
        #expect(Schedule.minutes("6:30") == 390)
        #expect(Schedule.minutes("24:00") == nil)
        #expect(Schedule.minutes("06:5") == nil)
    }
}
