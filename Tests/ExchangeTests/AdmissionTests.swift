import ExchangeHTTP
import ExchangeProtocol
import Model
import Testing

@Suite("Admission: places in all and per peer")
struct AdmissionTests {
    @Test("one peer holds at most its share, the others still get places; shutting down refuses all")
    func shares() {
        let admission = Admission(capacity: 4, perPeer: 2)
        #expect(admission.enter(.forem) == nil)
        #expect(admission.enter(.forem) == nil)
        #expect(admission.enter(.forem) == .peerSaturated)   // Le Forem's share is taken …
        #expect(admission.enter(.actiris) == nil)             // … Actiris's is not
        #expect(admission.enter(.adg) == nil)
        #expect(admission.enter(.bf) == .saturated)           // every place is taken
        admission.leave(.forem)
        #expect(admission.enter(.forem) == nil)
        admission.beginShutdown()
        #expect(admission.enter(.vdab) == .shuttingDown)
        #expect(admission.inFlight == 4)
    }

    @Test("the share is half the capacity unless given, at least one, at most the capacity")
    func defaults() {
        #expect(Admission(capacity: 16).perPeer == 8)
        #expect(Admission(capacity: 1).perPeer == 1)
        #expect(Admission(capacity: 4, perPeer: 9).perPeer == 4)
    }
}
