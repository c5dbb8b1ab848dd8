extension Duration {
    /// The duration in whole microseconds, the unit of every time Wharf stores.
    public var microseconds: Int64 {
        self.components.seconds * 1_000_000 + self.components.attoseconds / 1_000_000_000_000
    }
}
