// Linux only: the pty lookup and the sigaction layout are glibc's.
#if os(Linux)
  import Glibc
  import CVigilSignals
  import Testing

  extension CursesSuite {
    /// CVigilSignals: the flag and self-pipe in process; re-raise, the second-signal escape hatch
    /// and crash restore in child processes (exit tests).
    @Suite struct SignalTests {
      @Test func handlersRecordTheSignalAndWakeThePipe() {
        #expect(vigil_signals_install() == 0)
        #expect(vigil_signals_install() == 0)  // idempotent
        defer {
          vigil_signals_clear_pending()
          vigil_signals_uninstall()
        }
        #expect(vigil_signals_pending() == 0)
        raiseUnblocked(SIGINT)
        #expect(vigil_signals_pending() == SIGINT)
        var p = pollfd(fd: vigil_signals_fd(), events: Int16(POLLIN), revents: 0)
        #expect(poll(&p, 1, 0) == 1)
        vigil_signals_clear_pending()
        #expect(vigil_signals_pending() == 0)
        #expect(poll(&p, 1, 0) == 0)
      }

      @Test func uninstallPutsBackThePreviousDisposition() {
        var before = sigaction()
        _ = sigaction(SIGTERM, nil, &before)
        #expect(vigil_signals_install() == 0)
        vigil_signals_uninstall()
        var after = sigaction()
        _ = sigaction(SIGTERM, nil, &after)
        let a = unsafeBitCast(after.__sigaction_handler.sa_handler, to: Int.self)
        let b = unsafeBitCast(before.__sigaction_handler.sa_handler, to: Int.self)
        #expect(a == b)
      }

      @Test func saveTTYRefusesANonTerminal() {
        let fd = open("/dev/null", O_RDONLY)
        defer { close(fd) }
        #expect(vigil_signals_save_tty(fd) == -1)
        #expect(vigil_signals_tty_saved() == 0)
      }

      @Test func reraiseDiesByTheSignal() async {
        await #expect(processExitsWith: .signal(SIGTERM)) {
          _ = vigil_signals_install()
          vigil_signals_reraise(SIGTERM)
        }
      }

      @Test func repeatedTerminationSignalDiesOnceTheDelayPassed() async {
        await #expect(processExitsWith: .signal(SIGINT)) {
          _ = vigil_signals_install()
          vigil_signals_set_force_quit_delay(50)
          raiseUnblocked(SIGINT)  // recorded; the loop would now shut down
          guard vigil_signals_pending() == SIGINT else { exit(3) }
          raiseUnblocked(SIGINT)  // a duplicate right away: ignored
          guard vigil_signals_pending() == SIGINT else { exit(4) }
          usleep(100_000)
          raiseUnblocked(SIGINT)  // repeated after the delay: the loop is stuck, so die
          exit(5)
        }
      }

      @Test func duplicateSignalsAreNotFatal() {
        #expect(vigil_signals_install() == 0)
        defer {
          vigil_signals_clear_pending()
          vigil_signals_uninstall()
        }
        raiseUnblocked(SIGHUP)
        raiseUnblocked(SIGHUP)  // an SSH drop: the kernel's SIGHUP and the shell's
        raiseUnblocked(SIGTERM)
        #expect(vigil_signals_pending() == SIGHUP)
      }

      /// A crash restores the saved terminal modes and writes the restore bytes once, then
      /// chains to the previous handler with the signal. Checked on a pseudo-terminal in a child:
      /// the "previous handler" here is a checker that exits 42 when all is well.
      @Test func crashRestoresTheTerminalThenChains() async {
        await #expect(processExitsWith: .exitCode(42)) {
          guard let pty = PTY.open() else { exit(10) }
          let (master, slave) = pty
          guard slave >= 0 else { exit(11) }
          CrashProbe.slave = slave
          CrashProbe.master = master
          var checker = sigaction()
          checker.__sigaction_handler.sa_sigaction = { _, _, _ in
            var t = termios()
            guard tcgetattr(CrashProbe.slave, &t) == 0 else { _exit(12) }
            let cooked = (t.c_lflag & tcflag_t(ICANON)) != 0 && (t.c_lflag & tcflag_t(ECHO)) != 0
            var buf = [UInt8](repeating: 0, count: 64)
            let n = read(CrashProbe.master, &buf, 64)
            let wrote = n >= 7 && buf[0..<7].elementsEqual("RESTORE".utf8)
            _exit(cooked && wrote ? 42 : 13)
          }
          checker.sa_flags = SA_SIGINFO
          sigemptyset(&checker.sa_mask)
          _ = sigaction(SIGABRT, &checker, nil)

          guard vigil_signals_save_tty(slave) == 0 else { exit(14) }
          vigil_signals_set_restore_sequence("RESTORE", 7)
          vigil_signals_install_crash_restore()
          var raw = termios()
          _ = tcgetattr(slave, &raw)
          cfmakeraw(&raw)
          _ = tcsetattr(slave, TCSANOW, &raw)
          raiseUnblocked(SIGABRT)
          exit(15)
        }
      }
    }
  }

  /// A pseudo-terminal pair. The Glibc module hides posix_openpt and friends (they need
  /// `_XOPEN_SOURCE`), so they are looked up with `dlsym`.
  enum PTY {
    static func open() -> (master: Int32, slave: Int32)? {
      typealias IntFn = @convention(c) (Int32) -> Int32
      typealias NameFn = @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?
      guard let libc = dlopen(nil, RTLD_NOW),
        let openSym = dlsym(libc, "posix_openpt"), let grantSym = dlsym(libc, "grantpt"),
        let unlockSym = dlsym(libc, "unlockpt"), let nameSym = dlsym(libc, "ptsname")
      else { return nil }
      let master = unsafeBitCast(openSym, to: IntFn.self)(O_RDWR | O_NOCTTY)
      guard master >= 0, unsafeBitCast(grantSym, to: IntFn.self)(master) == 0,
        unsafeBitCast(unlockSym, to: IntFn.self)(master) == 0,
        let name = unsafeBitCast(nameSym, to: NameFn.self)(master)
      else { return nil }
      let slave = Glibc.open(name, O_RDWR | O_NOCTTY)
      return slave >= 0 ? (master, slave) : nil
    }
  }

  /// File descriptors the crash checker reads (a C handler cannot capture context).
  enum CrashProbe {
    // Written once in the child before the signal is raised, then only read by the handler.
    nonisolated(unsafe) static var slave: Int32 = -1
    nonisolated(unsafe) static var master: Int32 = -1
  }
#endif
