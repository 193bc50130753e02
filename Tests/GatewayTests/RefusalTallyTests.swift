import Foundation
import Gateway
import Ledger
import Testing

@Suite("Refused tokens counted by address and minute; sign-ins throttled by address")
struct RefusalTallyTests {
    let start = Date(timeIntervalSince1970: 1_796_000_000)

    @Test("The first refusal of an address is written at once, the rest of its minute as one count: at the minute's end, or when the log is read")
    func tally() async {
        let tally = RefusalTally(window: 60)
        let first = await tally.refused(actor: "api:unknown token", target: "GET /a", detail: "no operator has this token", source: "192.0.2.7", now: start)
        #expect(first.map(\.detail) == ["no operator has this token; from 192.0.2.7"])
        for i in 1...999 {
            #expect(await tally.refused(actor: "api:unknown token", target: "GET /\(i)", detail: "no operator has this token", source: "192.0.2.7",
                                        now: start.addingTimeInterval(Double(i) / 100)).isEmpty)
        }
        // Another address is its own first.
        #expect(await tally.refused(actor: "api:unknown token", target: "GET /b", detail: "no operator has this token", source: "198.51.100.1", now: start).count == 1)
        // The minute over: the count is due with the next refusal, which is a first again.
        let later = await tally.refused(actor: "api:unknown token", target: "GET /c", detail: "no operator has this token", source: "192.0.2.7", now: start.addingTimeInterval(61))
        #expect(later.count == 2)
        #expect(later.first?.detail?.hasPrefix("999 more refused from 192.0.2.7, ") == true, "\(later)")
        #expect(later.first?.target == "GET /999")
        #expect(later.last?.detail == "no operator has this token; from 192.0.2.7")
        // Read now: nothing more counted, nothing due.
        #expect(await tally.flush(now: start.addingTimeInterval(62), all: true).isEmpty)
    }

    @Test("Past maximumSources, other addresses are counted together")
    func boundedSources() async {
        let tally = RefusalTally(window: 60, maximumSources: 2)
        for address in ["192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"] {
            _ = await tally.refused(actor: "api:unknown token", target: "GET /", detail: "no operator has this token", source: address, now: start)
        }
        let due = await tally.flush(now: start, all: true)
        #expect(due.map { $0.detail?.prefix(35) } == ["1 more refused from other addresses"], "\(due)")
    }

    @Test("Sign-in: five wrong tokens free, then 1, 2, 4 … s up to the longest; another address unaffected; a right token clears; forgotten after a quiet spell")
    func throttle() async {
        let throttle = SignInThrottle(free: 5, longest: 5, forget: 900)
        for n in 0..<5 { #expect(await throttle.failed(source: "192.0.2.7", now: start.addingTimeInterval(Double(n))) == nil) }
        #expect(await throttle.failed(source: "192.0.2.7", now: start.addingTimeInterval(5)) == 1)
        #expect(await throttle.wait(source: "192.0.2.7", now: start.addingTimeInterval(5.5)) == 0.5)
        #expect(await throttle.wait(source: "198.51.100.1", now: start.addingTimeInterval(5.5)) == nil)
        #expect(await throttle.failed(source: "192.0.2.7", now: start.addingTimeInterval(7)) == 2)
        #expect(await throttle.failed(source: "192.0.2.7", now: start.addingTimeInterval(10)) == 4)
        #expect(await throttle.failed(source: "192.0.2.7", now: start.addingTimeInterval(15)) == 5, "capped at the longest")
        #expect(await throttle.failed(source: "192.0.2.7", now: start.addingTimeInterval(2_000)) == nil, "forgotten after 900 s without a wrong token")
        await throttle.succeeded(source: "192.0.2.7")
        #expect(await throttle.wait(source: "192.0.2.7", now: start.addingTimeInterval(2_000)) == nil)
    }
}
