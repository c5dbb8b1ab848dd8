import Foundation
import NIOCore

/// How many event loops `wharf` runs: one per CPU the process may run on (its affinity
/// mask, as `taskset`, a cpuset or a container limits it), unless NIO_SINGLETON_GROUP_LOOP_COUNT
/// says otherwise. NIO counts every CPU of the machine: two loops time-sliced on one allowed CPU
/// make every other answer wait for the other loop's turn (p99 of 5 ms instead of 1 ms).
enum EventLoopCount {
    /// Sets NIO's loop count before anything uses its event loops.
    static func apply() {
        guard ProcessInfo.processInfo.environment["NIO_SINGLETON_GROUP_LOOP_COUNT"] == nil, let allowed = self.allowedCPUs() else { return }
        NIOSingletons.groupLoopCountSuggestion = allowed
    }

    /// The CPUs of the affinity mask (`Cpus_allowed_list` of /proc/self/status, such as `0` or
    /// `0-3,8`); `nil` when it cannot be read.
    static func allowedCPUs() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") })
        else { return nil }
        return self.count(cpuList: line.dropFirst("Cpus_allowed_list:".count))
    }

    /// The CPUs of a list such as `0-3,8`; `nil` when it is not one.
    static func count(cpuList: Substring) -> Int? {
        var count = 0
        for range in cpuList.split(separator: ",") {
            let bounds = range.split(separator: "-").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            switch bounds.count {
            case 1:
                guard bounds[0] != nil else { return nil }
                count += 1
            case 2:
                guard let low = bounds[0], let high = bounds[1], low <= high else { return nil }
                count += high - low + 1
            default:
                return nil
            }
        }
        return count > 0 ? count : nil
    }
}
