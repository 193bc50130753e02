import ArgumentParser
import Foundation
import Gateway

struct OperatorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operators", abstract: "Tokens for the admin API (stored hashed).", subcommands: [Add.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a token for an operator: printed once, its hash appended to the tokens file.",
            discussion: """
                The file (operators.tokensFile in the gateway's configuration) holds one line per \
                operator: name, role, SHA-256 of the token, and any grants. The token itself is printed \
                once and kept nowhere. The gateway reads the file at start and at every SIGHUP. An operator reads vacancy \
                payloads; trainee payloads (names, national numbers) need --grant trainee-payloads.

                Example:
                  gateway operators add alice --role operator --tokens-file deploy/local/secrets/operators.tokens
                  gateway operators add bob --role operator --grant trainee-payloads --tokens-file deploy/local/secrets/operators.tokens
                """)
        @Argument(help: "The operator's name (as the audit log will say it).") var name: String
        @Option(help: "stats (statistics and dashboard), read (also list and show) or operator (also resubmit and repair).") var role: String
        @Option(help: ArgumentHelp("The tokens file.", valueName: "file")) var tokensFile: String
        @Option(help: ArgumentHelp("A right beyond the role: trainee-payloads (operators only).", valueName: "grant")) var grant: [String] = []

        func validate() throws {
            guard OperatorTokens.Role(rawValue: role) != nil else { throw ValidationError("--role is stats, read or operator") }
            for g in grant {
                guard OperatorTokens.Grant(rawValue: g) != nil else { throw ValidationError("--grant: \(g) is not a grant (trainee-payloads)") }
                guard role == "operator" else { throw ValidationError("--grant \(g) is for operator tokens only") }
            }
            guard name.range(of: "^[A-Za-z0-9._@-]{1,64}$", options: .regularExpression) != nil else {
                throw ValidationError("the name is 1 to 64 letters, digits, '.', '_', '@' or '-'")
            }
        }

        func run() throws {
            let (token, line) = OperatorTokens.make(name: name, role: OperatorTokens.Role(rawValue: role)!, grants: Set(grant.compactMap(OperatorTokens.Grant.init)))
            if !FileManager.default.fileExists(atPath: tokensFile) {
                guard FileManager.default.createFile(atPath: tokensFile, contents: Data("# name role sha256(token)\n".utf8), attributes: [.posixPermissions: 0o600]) else {
                    throw ValidationError("\(tokensFile): cannot be created")
                }
            }
            guard let handle = FileHandle(forWritingAtPath: tokensFile) else { throw ValidationError("\(tokensFile): cannot be written") }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data((line + "\n").utf8))
            try handle.close()
            print(token)
            FileHandle.standardError.write(Data("token for \(name) (\(role)) printed above, once; its hash is in \(tokensFile). Reload the gateway (kill -HUP) to take it.\n".utf8))
        }
    }
}
