import NIOConcurrencyHelpers
import NIOCore

/// Values trusted for a short time (a second by default), as nginx's open_file_cache trusts what
/// it found. Bounded in entries and in the bytes their values hold in memory: when either is
/// full it starts over, so expired entries never pile up.
final class TrustedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct Entry {
        let value: Value
        let bytes: Int
        let stored: NIODeadline
    }

    private let entries = NIOLockedValueBox<(values: [Key: Entry], bytes: Int)>(([:], 0))
    private let validity: TimeAmount
    private let capacity: Int
    private let byteCapacity: Int

    init(validity: TimeAmount = .seconds(1), capacity: Int = 4096, byteCapacity: Int = 64 << 20) {
        self.validity = validity
        self.capacity = capacity
        self.byteCapacity = byteCapacity
    }

    /// The value stored under `key` less than `validity` ago.
    func lookup(_ key: Key) -> Value? {
        guard let entry = self.entries.withLockedValue({ $0.values[key] }), NIODeadline.now() - entry.stored < self.validity else {
            return nil
        }
        return entry.value
    }

    /// Keeps `value`, which holds `bytes` bytes of memory, under `key`.
    func store(_ value: Value, bytes: Int, for key: Key) {
        let entry = Entry(value: value, bytes: bytes, stored: .now())
        self.entries.withLockedValue { cache in
            let replaced = cache.values[key]?.bytes
            let isFull = replaced == nil && cache.values.count >= self.capacity
            if isFull || cache.bytes - (replaced ?? 0) + bytes > self.byteCapacity {
                cache = ([:], 0)
            } else {
                cache.bytes -= replaced ?? 0
            }
            cache.bytes += bytes
            cache.values[key] = entry
        }
    }

    /// Forgets the values stored `validity` ago or longer.
    func removeExpired() {
        let now = NIODeadline.now()
        self.entries.withLockedValue { cache in
            for (key, entry) in cache.values where now - entry.stored >= self.validity {
                cache.bytes -= entry.bytes
                cache.values.removeValue(forKey: key)
            }
        }
    }

    /// Forgets the value under `key`.
    func remove(_ key: Key) {
        self.entries.withLockedValue { cache in
            cache.bytes -= cache.values.removeValue(forKey: key)?.bytes ?? 0
        }
    }
}
