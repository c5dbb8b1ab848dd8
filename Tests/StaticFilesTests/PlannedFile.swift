import Foundation
import Glibc
import HTTPTypes
import Testing

@testable import StaticFiles

/// The plan a mount makes for the file at `path` (sent whole as `application/octet-stream`, 200,
/// with `mountFields`) and its body: the file held open, with the validator "hash".
func plannedFile(at path: String, mountFields: [HTTPField]) throws -> (plan: StaticPlan, body: StaticBody) {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    try #require(descriptor >= 0)
    let file = OpenFile(descriptor: descriptor)
    let status = try #require(FileStatus(descriptor: descriptor))
    let plan = StaticPlan(
        served: ContainedFile(path: path, status: status),
        mediaType: "application/octet-stream",
        gzipped: false,
        status: .ok,
        mountFields: mountFields
    )
    return (plan, StaticBody(content: .file(file), hash: "hash"))
}
