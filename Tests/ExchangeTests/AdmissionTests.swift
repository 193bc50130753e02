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

@Suite("Admission: quotas a minute per peer, the free-disk floor")
struct QuotaAdmissionTests {
    @Test("a peer's batches a minute: a minute's worth at once, then one every 60/n s; another peer has its own; Retry-After says when")
    func batches() {
        let admission = Admission(capacity: 100, perPeer: 100, quota: PeerQuota(batchesPerMinute: 3, bytesPerMinute: 1 << 30))
        for _ in 0..<3 {
            #expect(admission.enter(.forem, bytes: 1_000, at: 0) == nil)
            admission.leave(.forem)
        }
        #expect(admission.enter(.forem, bytes: 1_000, at: 0) == .overQuota(.init(what: .batches, seconds: 20)))
        #expect(admission.enter(.actiris, bytes: 1_000, at: 0) == nil)
        #expect(admission.enter(.forem, bytes: 1_000, at: 15) == .overQuota(.init(what: .batches, seconds: 5)))
        #expect(admission.enter(.forem, bytes: 1_000, at: 20) == nil)
        #expect(admission.inFlight == 2, "a refused batch takes no place")
    }

    @Test("a peer's bytes a minute: a body is charged its declared length, or its read length when it declared none")
    func bytes() {
        let admission = Admission(capacity: 100, perPeer: 100, quota: PeerQuota(batchesPerMinute: 1_000, bytesPerMinute: 60_000_000))
        #expect(admission.enter(.forem, bytes: 40_000_000, at: 0) == nil)
        #expect(admission.enter(.forem, bytes: 30_000_000, at: 0) == .overQuota(.init(what: .bytes, seconds: 10)))
        #expect(admission.enter(.forem, bytes: 0, at: 0) == nil, "a chunked body is let in on what is left …")
        admission.charge(.forem, bytes: 25_000_000)   // … and charged once read: 5 MB short now
        #expect(admission.enter(.forem, bytes: 1, at: 1) != nil)
    }

    @Test("below the free-disk floor every batch is 503 (diskLow), measured at most once a second; above it, taken")
    func diskFloor() {
        final class Disk: @unchecked Sendable { var free: Int64 = 100 << 20; var measured = 0 }
        let disk = Disk()
        let admission = Admission(capacity: 10, diskFloor: 512 << 20, freeSpace: { disk.measured += 1; return disk.free })
        #expect(admission.enter(.forem, at: 0) == .diskLow(free: 100 << 20))
        disk.free = 2 << 30
        #expect(admission.enter(.forem, at: 0.5) == .diskLow(free: 100 << 20), "not measured again within the second")
        #expect(admission.enter(.forem, at: 1.5) == nil)
        #expect(disk.measured == 2)
        #expect(Admission(capacity: 1, freeSpace: { 0 }).enter(.forem) == nil, "no floor, nothing refused")
    }
}
