import CPython
import Glibc

/// `-i/--output-interval SECONDS` (kernprof's): while a long program runs, an
/// engine thread wakes every interval, takes the GIL (the program's threads pause
/// at their next switch, so the counts are consistent), asks the session for what
/// it measured so far, lets the GIL go and hands the result on: the CLI writes the
/// result file, so a program that never ends still leaves one behind.
///
/// Stopped before the final report; a forked child does not have the thread.
final class PeriodicSnapshots: @unchecked Sendable {
    private let nanoseconds: UInt64
    private let take: () -> Void
    private var thread: NativeThread?
    private var owner: pid_t = 0
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let wake = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var stopping = false

    /// `take` runs on the engine thread, without the GIL: it takes it itself for
    /// as long as it reads the session.
    init(every seconds: Double, take: @escaping () -> Void) {
        self.nanoseconds = UInt64(max(seconds, 0.001) * 1e9)
        self.take = take
        pthread_mutex_init(mutex, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(wake, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(wake)
        pthread_mutex_destroy(mutex)
        wake.deallocate()
        mutex.deallocate()
    }

    func start() {
        owner = getpid()
        let thread = NativeThread { [self] in
            while waitOneInterval() { take() }
        }
        self.thread = thread
        thread.start()
    }

    /// Whether the interval passed (false: stopped meanwhile).
    private func waitOneInterval() -> Bool {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let deadline = UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec) + nanoseconds
        var until = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !stopping {
            if pthread_cond_timedwait(wake, mutex, &until) == ETIMEDOUT { return !stopping }
        }
        return false
    }

    /// Stops the thread and waits for it, called holding the GIL: the GIL is let
    /// go meanwhile, as the thread may be waiting for it. In a forked child there
    /// is no thread to wait for.
    func stop() {
        pthread_mutex_lock(mutex)
        stopping = true
        pthread_cond_signal(wake)
        pthread_mutex_unlock(mutex)
        guard let thread, owner == getpid() else { return }
        self.thread = nil
        let saved = PyEval_SaveThread()
        thread.join()
        PyEval_RestoreThread(saved)
    }
}
