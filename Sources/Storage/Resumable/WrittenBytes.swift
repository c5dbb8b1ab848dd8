import NIOCore
import Synchronization

/// The bytes of resumable uploads' pieces, kept in memory once written, for the hash that follows
/// the pieces behind their answers: it takes them from here rather than mapping the partial file
/// again, which made and unmade the page tables of every 4 MiB (a twentieth of a tus upload's CPU
/// time). Each upload keeps one run of bytes in a row; all of them share a budget, past which
/// bytes are not kept and the hash reads them back from the file.
final class WrittenBytes: Sendable {
    /// The bytes of one upload from `start`, in order and without a gap.
    private struct Run {
        var start: Int64
        var end: Int64
        var buffers = CircularBuffer<ByteBuffer>()

        init(_ buffer: ByteBuffer, at offset: Int64) {
            self.start = offset
            self.end = offset
            self.append(buffer)
        }

        mutating func append(_ buffer: ByteBuffer) {
            self.buffers.append(buffer)
            self.end += Int64(buffer.readableBytes)
        }

        mutating func removeFirst() -> ByteBuffer {
            let first = self.buffers.removeFirst()
            self.start += Int64(first.readableBytes)
            return first
        }
    }

    private struct Kept {
        var runs: [String: Run] = [:]
        var bytes = 0

        mutating func remove(_ id: String) {
            guard let run = self.runs.removeValue(forKey: id) else { return }
            self.bytes -= Int(run.end - run.start)
        }
    }

    /// Bytes kept at most, all uploads together: about two 8 MiB pieces for each of two uploads
    /// whose hashes lag behind.
    let budget: Int
    private let kept = Mutex(Kept())

    init(budget: Int = 32 << 20) {
        self.budget = budget
    }

    /// Bytes kept now, all uploads together.
    var bytes: Int {
        self.kept.withLock { $0.bytes }
    }

    /// Keeps `buffer`, the bytes of upload `id` written at `offset`, when the budget has room for
    /// them. Bytes that do not follow the upload's run begin a new one.
    func keep(_ buffer: ByteBuffer, of id: String, at offset: Int64) {
        self.kept.withLock { kept in
            guard kept.bytes + buffer.readableBytes <= self.budget else { return }
            if kept.runs[id]?.end == offset {
                kept.runs[id]!.append(buffer)
            } else {
                kept.remove(id)
                kept.runs[id] = Run(buffer, at: offset)
            }
            kept.bytes += buffer.readableBytes
        }
    }

    /// The kept buffers of upload `id` that begin at `offset`, whole and in order, none past
    /// `end`, and not more than `limit` bytes unless the first alone is: given up here. When
    /// none begins there, `next` says where the kept bytes after `offset` begin, if any do.
    func take(of id: String, from offset: Int64, through end: Int64, atMost limit: Int) -> (buffers: [ByteBuffer], next: Int64?) {
        self.kept.withLock { kept in
            guard var run = kept.runs[id] else { return ([], nil) }
            var taken: [ByteBuffer] = []
            var takenBytes = 0
            // Bytes the hash has gone past (it started again from a saved state) are of no use.
            while run.start < offset, !run.buffers.isEmpty { kept.bytes -= run.removeFirst().readableBytes }
            if run.start == offset {
                while let first = run.buffers.first, run.start + Int64(first.readableBytes) <= end,
                    taken.isEmpty || takenBytes + first.readableBytes <= limit
                {
                    taken.append(run.removeFirst())
                    takenBytes += first.readableBytes
                }
            }
            kept.bytes -= takenBytes
            let next = taken.isEmpty && run.start > offset && !run.buffers.isEmpty ? run.start : nil
            kept.runs[id] = run.buffers.isEmpty ? nil : run
            return (taken, next)
        }
    }

    /// Drops what upload `id` keeps when any of it lies past `offset`, where its partial file now
    /// ends; `nil`: all it keeps.
    func drop(_ id: String, beyond offset: Int64? = nil) {
        self.kept.withLock { kept in
            guard let run = kept.runs[id], offset.map({ run.end > $0 }) ?? true else { return }
            kept.remove(id)
        }
    }
}
