import NIOCore
import Synchronization

/// The bytes of resumable uploads' pieces, kept in memory once written, for the hash that follows
/// the pieces behind their answers: it takes them from here rather than mapping the partial file
/// again, which made and unmade the page tables of every 4 MiB (a twentieth of a tus upload's CPU
/// time). Each upload keeps one run of bytes in a row; all of them share a budget of memory, past
/// which bytes are not kept and the hash reads them back from the file. A buffer counts against it
/// with the whole storage it holds: a socket read written as it came may be a slice of a receive
/// buffer several times its size.
final class WrittenBytes: Sendable {
    /// The bytes of one upload from `start`, in order and without a gap.
    private struct Run {
        var start: Int64
        var end: Int64
        /// The storage its buffers hold.
        var held = 0
        var buffers = CircularBuffer<ByteBuffer>()

        init(_ buffer: ByteBuffer, at offset: Int64) {
            self.start = offset
            self.end = offset
            self.append(buffer)
        }

        mutating func append(_ buffer: ByteBuffer) {
            self.buffers.append(buffer)
            self.end += Int64(buffer.readableBytes)
            self.held += buffer.storageCapacity
        }

        mutating func removeFirst() -> ByteBuffer {
            let first = self.buffers.removeFirst()
            self.start += Int64(first.readableBytes)
            self.held -= first.storageCapacity
            return first
        }
    }

    /// Storage held at most, all uploads together: about two 8 MiB pieces for each of two uploads
    /// whose hashes lag behind.
    let budget: Int
    private let runs = Mutex<[String: Run]>([:])

    init(budget: Int = 32 << 20) {
        self.budget = budget
    }

    /// Bytes kept now, all uploads together.
    var bytes: Int {
        self.runs.withLock { $0.values.reduce(0) { $0 + Int($1.end - $1.start) } }
    }

    /// The storage the kept buffers hold now, all uploads together.
    var held: Int {
        self.runs.withLock { Self.held(by: $0) }
    }

    private static func held(by runs: [String: Run]) -> Int {
        runs.values.reduce(0) { $0 + $1.held }
    }

    /// Keeps `buffer`, the bytes of upload `id` written at `offset`, when the budget has room for
    /// its storage. Bytes that do not follow the upload's run begin a new one.
    func keep(_ buffer: ByteBuffer, of id: String, at offset: Int64) {
        self.runs.withLock { runs in
            let follows = runs[id]?.end == offset
            let freed = follows ? 0 : runs[id]?.held ?? 0
            guard Self.held(by: runs) - freed + buffer.storageCapacity <= self.budget else { return }
            if follows {
                runs[id]!.append(buffer)
            } else {
                runs[id] = Run(buffer, at: offset)
            }
        }
    }

    /// The kept buffers of upload `id` that begin at `offset`, whole and in order, none past
    /// `end`, and not more than `limit` bytes unless the first alone is: given up here. When
    /// none begins there, `next` says where the kept bytes after `offset` begin, if any do.
    func take(of id: String, from offset: Int64, through end: Int64, atMost limit: Int) -> (buffers: [ByteBuffer], next: Int64?) {
        self.runs.withLock { runs in
            guard var run = runs[id] else { return ([], nil) }
            var taken: [ByteBuffer] = []
            var takenBytes = 0
            // Bytes the hash has gone past (it started again from a saved state) are of no use.
            while run.start < offset, !run.buffers.isEmpty { _ = run.removeFirst() }
            if run.start == offset {
                while let first = run.buffers.first, run.start + Int64(first.readableBytes) <= end,
                    taken.isEmpty || takenBytes + first.readableBytes <= limit
                {
                    taken.append(run.removeFirst())
                    takenBytes += first.readableBytes
                }
            }
            let next = taken.isEmpty && run.start > offset && !run.buffers.isEmpty ? run.start : nil
            runs[id] = run.buffers.isEmpty ? nil : run
            return (taken, next)
        }
    }

    /// Drops what upload `id` keeps when any of it lies past `offset`, where its partial file now
    /// ends; `nil`: all it keeps.
    func drop(_ id: String, beyond offset: Int64? = nil) {
        self.runs.withLock { runs in
            guard let run = runs[id], offset.map({ run.end > $0 }) ?? true else { return }
            runs[id] = nil
        }
    }
}
