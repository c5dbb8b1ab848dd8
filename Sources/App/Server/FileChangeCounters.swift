import Metrics
import Storage

/// `wharf_file_changes_total{change="created|updated|deleted"}`: what the files service committed,
/// counted by its post-commit hook (where later issues announce changes as events).
struct FileChangeCounters: Sendable {
    private let created: Counter
    private let updated: Counter
    private let deleted: Counter

    init(factory: any MetricsFactory) {
        func counter(_ change: String) -> Counter {
            Counter(label: "wharf_file_changes_total", dimensions: [("change", change)], factory: factory)
        }
        self.created = counter("created")
        self.updated = counter("updated")
        self.deleted = counter("deleted")
    }

    /// Counts each committed change.
    func count(_ changes: [FileChange]) {
        for change in changes {
            switch change {
            case .created: self.created.increment()
            case .updated: self.updated.increment()
            case .deleted: self.deleted.increment()
            case .unchanged: break
            }
        }
    }
}
