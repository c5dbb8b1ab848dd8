import Glibc

/// The free space staged uploads leave on the storage device: 1% of it, at most 64 MiB.
///
/// Deleting a file writes to the metadata database before its bytes are freed, so a device that
/// uploads had filled to the last block could no longer delete anything, the one way to free it.
/// A staged write that would eat into the reserve fails as a full device does (507).
enum SpaceReserve {
    static let largest: Int64 = 64 << 20

    /// Throws `noSpace` when `count` more bytes written on the device of `path` would leave less
    /// than the reserve free; a device whose space cannot be read is left to the write to judge.
    static func check(writing count: Int, at path: String) throws {
        var device = statvfs()
        guard statvfs(path, &device) == 0 else { return }
        let blockSize = Int64(device.f_frsize)
        let available = Int64(device.f_bavail) * blockSize
        let reserve = min(Self.largest, Int64(device.f_blocks) * blockSize / 100)
        if available - Int64(count) < reserve { throw StorageError.reserveReached(reserve) }
    }

    /// Makes room in `fd` for `count` bytes declared to come at `offset`: refused as `check`
    /// refuses them, before the first arrives, else their blocks are reserved now. Returns how
    /// many were reserved (none where the file system cannot): writes within them need no
    /// further check.
    static func claim(_ count: Int64, in fd: Int32, at offset: Int64, path: String) throws -> Int64 {
        guard count > 0 else { return 0 }
        try self.check(writing: Int(clamping: count), at: path)
        return try SystemFile.preallocate(fd, offset: offset, length: count, path: path) ? count : 0
    }
}
