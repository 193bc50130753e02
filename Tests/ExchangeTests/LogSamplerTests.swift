import ExchangeHTTP
import Foundation
import Testing

@Suite("Log lines of refusals sampled")
struct LogSamplerTests {
    @Test("One line per kind a minute; the next one let through says how many were held back; kinds apart")
    func sampled() {
        let sampler = LogSampler(window: 60)
        let t0 = Date(timeIntervalSince1970: 1_796_000_000)
        #expect(sampler.admit("unknown 401", now: t0) == 0)
        for i in 1...2_000 { #expect(sampler.admit("unknown 401", now: t0.addingTimeInterval(Double(i) / 100)) == nil) }
        #expect(sampler.admit("FOREM 429", now: t0.addingTimeInterval(1)) == 0)
        #expect(sampler.admit("unknown 401", now: t0.addingTimeInterval(61)) == 2_000)
        #expect(sampler.admit("unknown 401", now: t0.addingTimeInterval(62)) == nil)
    }
}
