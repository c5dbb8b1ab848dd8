import CExecutorHook
import Foundation
import NIOCore
import NIOPosix

/// Swift tasks run on NIO's event loops: a request's handler runs on the thread that reads its
/// socket, without a hop to the cooperative pool and back (SwiftNIO's advice for servers).
///
/// This is what `NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor`
/// does, through a hook that the release build, which links the Swift runtime into the
/// executable, can reach (`CExecutorHook`). Without it, every task of that build ran on the
/// cooperative pool: each body part of an upload crossed threads twice, and the socket's reads
/// piled up behind their consumers (32 uploads at once held 46 MiB of them).
enum EventLoopExecutor {
    private typealias Enqueue = @convention(thin) (UnownedJob, @convention(thin) (UnownedJob) -> Void) -> Void

    /// Before any task is enqueued but the main one; says so on standard error when the
    /// runtime's hook is taken already.
    static func install() {
        let enqueue: Enqueue = { job, _ in
            // `any()` is the loop of the calling thread when that is one of the group's: no hop.
            MultiThreadedEventLoopGroup.singleton.any().enqueue(ExecutorJob(job))
        }
        guard !cexecutorhook_install_enqueue_global(unsafeBitCast(enqueue, to: UnsafeRawPointer.self)) else { return }
        let warning = "wharf: Swift tasks run on the runtime's own threads, not on the event loops: its global executor hook is taken\n"
        FileHandle.standardError.write(Data(warning.utf8))
    }
}
