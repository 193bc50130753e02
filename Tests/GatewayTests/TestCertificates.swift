import Crypto
import Foundation
import SwiftASN1
import X509

/// Certificates made at test time with swift-certificates: a CA, and per agency a certificate
/// issued by it (CN = the agency's code, for localhost and 127.0.0.1, for servers and clients), as
/// `deploy/local/make-certs.sh` makes them with openssl. Each is written as PEM into the folder;
/// keys readable by their owner only.
struct TestCertificates {
    struct Issued {
        var certificateFile: String
        var keyFile: String
        /// The SHA-256 of the certificate's DER, lower-case hex (what `peers.X.certificate.sha256` pins).
        var sha256: String
    }

    let folder: TemporaryFolder
    let name: String
    let caFile: String
    private let caKey: P256.Signing.PrivateKey
    private let caName: DistinguishedName

    /// A CA named `name` (files `<name>-ca.pem`).
    init(in folder: TemporaryFolder, name: String = "test") throws {
        self.folder = folder
        self.name = name
        caKey = P256.Signing.PrivateKey()
        caName = try DistinguishedName { CountryName("BE"); OrganizationName("Gateway tests"); CommonName("\(name) CA") }
        let now = Date()
        let ca = try Certificate(version: .v3, serialNumber: .init(), publicKey: .init(caKey.publicKey), notValidBefore: now - 3600,
                                 notValidAfter: now + 86_400, issuer: caName, subject: caName, signatureAlgorithm: .ecdsaWithSHA256,
                                 extensions: try Certificate.Extensions {
                                     Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                                     Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                                 }, issuerPrivateKey: .init(caKey))
        caFile = try folder.write("\(name)-ca.pem", try ca.serializeAsPEM().pemString + "\n")
    }

    /// A certificate for `commonName` issued by this CA (files `<name>-<cn>.pem`, `<name>-<cn>.key`).
    func issue(_ commonName: String) throws -> Issued {
        let key = P256.Signing.PrivateKey()
        let now = Date()
        let subject = try DistinguishedName { CountryName("BE"); OrganizationName("Gateway tests"); CommonName(commonName) }
        let certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey), notValidBefore: now - 3600, notValidAfter: now + 86_400,
            issuer: caName, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth, .clientAuth])
                SubjectAlternativeNames([.dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1]))])
            }, issuerPrivateKey: .init(caKey))
        let stem = "\(name)-\(commonName.lowercased())"
        let certificateFile = try folder.write("\(stem).pem", try certificate.serializeAsPEM().pemString + "\n")
        let keyFile = try folder.write("\(stem).key", key.pemRepresentation + "\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyFile)
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return Issued(certificateFile: certificateFile, keyFile: keyFile, sha256: SHA256.hash(data: serializer.serializedBytes).map { String(format: "%02x", $0) }.joined())
    }
}
