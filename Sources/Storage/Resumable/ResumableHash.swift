import CSHA256State

/// The SHA-256 of a resumable upload's first bytes, as a value whose running state is plain bytes:
/// kept beside the partial file after each piece, it spares a restarted server hashing again
/// what it had hashed (a 20 GiB upload cut off near its end is about 13 s of SHA-256 here).
struct ResumableHash: Sendable {
    static let stateSize = csha256_state_size()

    private var state: [UInt8]

    init() {
        self.state = [UInt8](repeating: 0, count: Self.stateSize)
        self.state.withUnsafeMutableBytes { csha256_init($0.baseAddress!) }
    }

    /// A state saved with `savedState`; `nil` when it is not one (another size).
    init?(savedState: some Collection<UInt8>) {
        guard savedState.count == Self.stateSize else { return nil }
        self.state = Array(savedState)
    }

    /// The running state, to be saved and given back to `init(savedState:)`.
    var savedState: [UInt8] { self.state }

    mutating func update(bufferPointer bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        self.state.withUnsafeMutableBytes { csha256_update($0.baseAddress!, base, bytes.count) }
    }

    /// The digest of what was given so far (the running state stays as it was).
    func finalize() -> [UInt8] {
        var state = self.state
        var digest = [UInt8](repeating: 0, count: 32)
        state.withUnsafeMutableBytes { state in
            digest.withUnsafeMutableBytes { csha256_final(state.baseAddress!, $0.baseAddress!) }
        }
        return digest
    }
}
