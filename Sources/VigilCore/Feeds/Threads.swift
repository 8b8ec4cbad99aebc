import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A flag a source polls to know it should stop.
public final class StopFlag: Sendable {
  private let flag = Atomic<Bool>(false)
  public init() {}
  public func stop() { flag.store(true, ordering: .relaxed) }
  public var isStopped: Bool { flag.load(ordering: .relaxed) }
}

private final class ThreadBody {
  let run: @Sendable () -> Void
  init(_ run: @escaping @Sendable () -> Void) { self.run = run }
}

/// Runs `body` on a new detached thread.
///
/// Blocking reads (files, stdin, sockets) get their own thread so they never block Swift's
/// cooperative pool, which has only as many threads as cores.
public func spawnThread(_ body: @escaping @Sendable () -> Void) {
  let box = Unmanaged.passRetained(ThreadBody(body)).toOpaque()
  var attr = pthread_attr_t()
  pthread_attr_init(&attr)
  pthread_attr_setdetachstate(&attr, Int32(PTHREAD_CREATE_DETACHED))
  #if canImport(Glibc)
    var tid = pthread_t()
  #else
    var tid: pthread_t?
  #endif
  let rc = pthread_create(
    &tid, &attr,
    { raw in
      guard let raw else { return nil }
      // Feed threads never take terminal signals: they go to the loop's thread, whose
      // blocking read they interrupt.
      var set = sigset_t()
      sigemptyset(&set)
      for sig in [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGWINCH, SIGTSTP, SIGCONT] {
        sigaddset(&set, sig)
      }
      pthread_sigmask(SIG_BLOCK, &set, nil)
      Unmanaged<ThreadBody>.fromOpaque(raw).takeRetainedValue().run()
      return nil
    }, box)
  pthread_attr_destroy(&attr)
  if rc != 0 {
    // Could not start a thread: run inline rather than lose the feed.
    Unmanaged<ThreadBody>.fromOpaque(box).takeRetainedValue().run()
  }
}

/// Sleeps for `ns` nanoseconds (a signal may end it early).
public func sleepNanoseconds(_ ns: Int64) {
  guard ns > 0 else { return }
  var req = timespec(tv_sec: Int(ns / Nanos.second), tv_nsec: Int(ns % Nanos.second))
  var rem = timespec()
  _ = nanosleep(&req, &rem)
}
