import Foundation

/// A direct-colour terminfo entry, `vigil-direct` (like ncurses' `xterm-direct`, which is not
/// always installed): colour numbers are 0xRRGGBB, sent as `38:2::R:G:B`. Built with `tic`
/// into a temporary directory once; point `TERMINFO` at the returned directory. Nil when
/// `tic` (ncurses-bin) fails.
public enum DirectColorTerminfo {
  public static let name = "vigil-direct"

  public static let directory: String? = {
    let dir = NSTemporaryDirectory() + "vigil-terminfo-\(getpid())"
    let source = dir + "/vigil-direct.src"
    let text = """
      vigil-direct|xterm with direct colour (Vigil tests),
      \tuse=xterm-256color,
      \tcolors#0x1000000,
      \tpairs#0x10000,
      \tRGB,
      \tsetaf=\\E[%?%p1%{8}%<%t3%p1%d%e38:2::%p1%{65536}%/%d:%p1%{256}%/%{255}%&%d:%p1%{255}%&%d%;m,
      \tsetab=\\E[%?%p1%{8}%<%t4%p1%d%e48:2::%p1%{65536}%/%d:%p1%{256}%/%{255}%&%d:%p1%{255}%&%d%;m,

      """
    do {
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
      try text.write(toFile: source, atomically: true, encoding: .utf8)
    } catch { return nil }
    let r = spawnAndWait(["tic", "-x", "-o", dir, source], timeoutSeconds: 30)
    return r.status == 0 ? dir : nil
  }()
}
