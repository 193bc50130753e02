import ExchangeHTTP
import ExchangeProtocol
import Foundation
import Testing

@Suite("Request signatures (HMAC-SHA256, 300 s window)")
struct RequestSignatureTests {
    let signer = RequestSignature(key: Array("forem-to-vdab-key".utf8))
    let body = Array(#"{"records":[]}"#.utf8)
    let timestamp = "2026-11-20T06:00:00Z"
    var at: Date { Instant.parse(timestamp)! }

    // Both values computed independently with Python's hmac and hashlib.
    @Test("a POST and a GET with a query, as another implementation signs them")
    func vectors() {
        #expect(signer.sign(method: "POST", pathWithQuery: "/exchange/v1/batches", timestamp: timestamp, body: body)
                == "hmac-sha256=ccdcc9199ed736b0af76b4bee953a84123492e67074556e9d08a7feef28905e0")
        #expect(signer.sign(method: "GET", pathWithQuery: "/exchange/v1/manifest?since=2026-11-01T00:00:00Z&until=2026-11-20T00:00:00Z",
                            timestamp: timestamp, body: [UInt8]())
                == "hmac-sha256=641b414c440fa9668df02fac7f28bbb5f8a6b312b3b50437288dd3f068bbe753")
    }

    @Test("a good signature within the window is accepted, up to 300 s either way")
    func accepted() throws {
        let signature = signer.sign(method: "POST", pathWithQuery: "/exchange/v1/batches", timestamp: timestamp, body: body)
        for skew in [-300.0, 0, 299.5, 300] {
            try signer.verify(method: "POST", pathWithQuery: "/exchange/v1/batches", timestamp: timestamp, signature: signature, body: body,
                              now: at.addingTimeInterval(skew))
        }
    }

    @Test("every way to get it wrong", arguments: [
        ("body", RequestSignature.Failure.badSignature), ("path", .badSignature), ("method", .badSignature), ("key", .badSignature),
        ("late", .outsideWindow(seconds: 301)), ("early", .outsideWindow(seconds: 301)), ("upper", .malformedSignature),
        ("prefix", .malformedSignature), ("short", .malformedSignature), ("noTimestamp", .missingHeader("X-PES-Timestamp")),
        ("noSignature", .missingHeader("X-PES-Signature")), ("unreadable", .timestampUnreadable),
    ])
    func refused(_ fault: String, _ expected: RequestSignature.Failure) {
        let path = "/exchange/v1/batches"
        var ts: String? = timestamp
        if fault == "unreadable" { ts = "20/11/2026 06:00" }
        var signature: String? = signer.sign(method: "POST", pathWithQuery: path, timestamp: ts ?? timestamp, body: body)
        var verifier = signer, method = "POST", verifyPath = path, verifyBody = body, now = at
        switch fault {
        case "body": verifyBody = Array(#"{"records":[1]}"#.utf8)
        case "path": verifyPath = "/exchange/v1/batches?x=1"
        case "method": method = "PUT"
        case "key": verifier = RequestSignature(key: Array("another-key".utf8))
        case "late": now = at.addingTimeInterval(301)
        case "early": now = at.addingTimeInterval(-301)
        case "upper": signature = signature!.uppercased().replacingOccurrences(of: "HMAC-SHA256=", with: "hmac-sha256=")
        case "prefix": signature = signature!.replacingOccurrences(of: "hmac-sha256=", with: "sha256=")
        case "short": signature = String(signature!.dropLast(2))
        case "noTimestamp": ts = nil
        case "noSignature": signature = nil
        default: break
        }
        #expect(throws: expected) {
            try verifier.verify(method: method, pathWithQuery: verifyPath, timestamp: ts, signature: signature, body: verifyBody, now: now)
        }
    }
}

@Suite("Receipts and record versions")
struct ReceiptTests {
    @Test("the receipt's JSON has the protocol's members and vocabulary")
    func members() throws {
        let receipt = Receipt(batchId: "b", receiptId: "r", receivedAt: "2026-11-20T06:00:01Z", bodySha256: "00",
                              counts: .init(records: 3, accepted: 1, duplicates: 1, rejected: 1),
                              rejected: [.init(index: 2, recordId: "FO-1", field: "occupation", code: "UNKNOWN_OCCUPATION", message: "m")])
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(receipt)) as! [String: Any]
        #expect(Set(object.keys) == ["batchId", "receiptId", "receivedAt", "bodySha256", "processingStatus", "result", "counts", "rejected"])
        #expect(object["processingStatus"] as? String == "completed")
        #expect(object["result"] as? String == "partiallyFailed")
        #expect(Set((object["counts"] as! [String: Any]).keys) == ["records", "accepted", "duplicates", "rejected"])
        #expect(Set(((object["rejected"] as! [[String: Any]])[0]).keys) == ["index", "recordId", "field", "code", "message"])
        #expect(Receipt(batchId: "b", receiptId: "r", receivedAt: "", bodySha256: "", counts: .init(records: 2, accepted: 1, duplicates: 1, rejected: 0), rejected: []).result == "succeeded")
        #expect(Receipt(batchId: "b", receiptId: "r", receivedAt: "", bodySha256: "", counts: .init(records: 2, accepted: 0, duplicates: 0, rejected: 2), rejected: []).result == "failed")
    }

    @Test("the version rule, row by row: against the latest version held only", arguments: [
        // (sent version, sent digest, held version and digest, decision)
        (1, "a", nil, VersionDecision.accept),                    // nothing held
        (3, "a", VersionDecision.Held(version: 2, digest: "x"), .accept),  // higher than held
        (2, "x", VersionDecision.Held(version: 2, digest: "x"), .duplicate),   // the held version, same content
        (2, "y", VersionDecision.Held(version: 2, digest: "x"), .conflict),    // the held version, other content
        (1, "y", VersionDecision.Held(version: 2, digest: "x"), .stale(held: 2)),   // lower, other content
        (1, "x", VersionDecision.Held(version: 2, digest: "x"), .stale(held: 2)),   // lower, the same content as an older version: still stale
    ] as [(Int, String, VersionDecision.Held?, VersionDecision)])
    func versions(_ version: Int, _ digest: String, _ held: VersionDecision.Held?, _ expected: VersionDecision) {
        #expect(VersionDecision.decide(version: version, digest: digest, held: held) == expected)
    }

    @Test("refused versions carry their codes")
    func versionCodes() {
        #expect(VersionDecision.conflict.rejection?.code == .versionConflict)
        #expect(VersionDecision.stale(held: 2).rejection?.code == .staleVersion)
        #expect(VersionDecision.accept.rejection == nil && VersionDecision.duplicate.rejection == nil)
    }
}
