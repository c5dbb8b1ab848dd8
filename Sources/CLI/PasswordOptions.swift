import App
import ArgumentParser
import Foundation
import Glibc

/// How `wharf user add` and `wharf user passwd` get a password: typed at a prompt that does not
/// echo (twice), or one line of standard input with `--password-stdin`; and the bcrypt cost.
struct PasswordOptions: ParsableArguments {
    @Flag(help: "Read the password from the first line of standard input instead of a prompt.")
    var passwordStdin = false

    @Option(help: "bcrypt's cost for the new hash, 4 to 31 (env WHARF_BCRYPT_COST; default 12).")
    var bcryptCost: Int?

    func resolvedCost() throws -> Int {
        try BcryptCost.resolve(self.bcryptCost)
    }

    /// The password, from standard input or a prompt on the terminal.
    func read() throws -> String {
        if self.passwordStdin {
            guard let line = readLine(strippingNewline: true), !line.isEmpty else {
                throw PasswordInputError(message: "--password-stdin: standard input has no password line.")
            }
            return line
        }
        guard isatty(STDIN_FILENO) == 1 else {
            throw PasswordInputError(message: "Standard input is not a terminal: pass the password with --password-stdin.")
        }
        let password = try Self.prompt("Password: ")
        guard try Self.prompt("Repeat the password: ") == password else { throw PasswordInputError(message: "The two passwords differ.") }
        return password
    }

    /// Reads one line from the terminal with echo off (restored afterwards, whatever happens).
    static func prompt(_ text: String) throws -> String {
        FileHandle.standardError.write(Data(text.utf8))
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = readLine(strippingNewline: true) else { throw PasswordInputError(message: "No password was typed.") }
        return line
    }
}

/// A password that could not be read; said without the usage text (the flags were right).
struct PasswordInputError: Error, CustomStringConvertible {
    let message: String
    var description: String { self.message }
}

/// bcrypt's cost from its flag or `WHARF_BCRYPT_COST`, checked.
enum BcryptCost {
    static func resolve(_ flag: Int?) throws -> Int {
        let cost = try EnvironmentOption.resolve(flag, "WHARF_BCRYPT_COST", default: AppConfiguration().bcryptCost) { Int($0) }
        guard (4...31).contains(cost) else { throw ValidationError("bcrypt's cost must be between 4 and 31.") }
        return cost
    }
}
