import CNCurses

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Sets the C locale before `newterm`, and decides whether the terminal gets UTF-8.
///
/// Without a UTF-8 `LC_CTYPE`, ncursesw draws every non-ASCII cell blank, with no error
/// (ARCHITECTURE §12), so this must run before the screen starts.
///
/// The choice when the codeset is not UTF-8: Vigil falls back to the `C.UTF-8` locale only when
/// the user did not choose a locale (`LC_ALL`, `LC_CTYPE` and `LANG` all unset or empty, common
/// over SSH and in containers, where the terminal is almost always UTF-8) or chose a UTF-8
/// locale that is not installed (`LANG=en_US.UTF-8` on a host without it). A deliberate
/// non-UTF-8 choice (`C`, `POSIX`, `en_US.ISO-8859-1`) is respected: the terminal may really be
/// unable to show UTF-8, so Vigil draws ASCII (and the app picks the ASCII glyph set).
package enum LocaleSetup {
  /// True for the names glibc and macOS give the UTF-8 codeset.
  package static func isUTF8Codeset(_ codeset: String) -> Bool {
    let c = codeset.lowercased()
    return c == "utf-8" || c == "utf8"
  }

  /// Whether to try `C.UTF-8` when the user's locale did not give a UTF-8 codeset.
  ///
  /// - Parameters: the values of `LC_ALL`, `LC_CTYPE` and `LANG` (nil when unset).
  package static func shouldFallBackToCUTF8(lcAll: String?, lcCtype: String?, lang: String?)
    -> Bool
  {
    let chosen = [lcAll, lcCtype, lang].lazy.compactMap { $0 }.first { !$0.isEmpty }
    guard let name = chosen?.lowercased() else { return true }
    return name.contains("utf-8") || name.contains("utf8")
  }

  /// Calls `setlocale(LC_ALL, "")` and returns whether the terminal gets UTF-8.
  ///
  /// `LC_NUMERIC` goes back to `C` so no C library call formats or parses `3,5`.
  /// - Parameter asciiOnly: `true` answers false whatever the locale; `false` insists on UTF-8
  ///   (tries `C.UTF-8` whatever the user chose); nil follows ``shouldFallBackToCUTF8(lcAll:lcCtype:lang:)``.
  package static func configure(asciiOnly: Bool?) -> Bool {
    _ = setlocale(LC_ALL, "")
    _ = setlocale(LC_NUMERIC, "C")
    if asciiOnly == true { return false }
    if currentCodesetIsUTF8() { return true }
    let tryFallback =
      asciiOnly == false
      || shouldFallBackToCUTF8(
        lcAll: environment("LC_ALL"), lcCtype: environment("LC_CTYPE"),
        lang: environment("LANG"))
    guard tryFallback else { return false }
    for name in ["C.UTF-8", "C.utf8", "en_US.UTF-8"] where setlocale(LC_CTYPE, name) != nil {
      if currentCodesetIsUTF8() { return true }
    }
    return false
  }

  /// Whether the current `LC_CTYPE` codeset is UTF-8.
  package static func currentCodesetIsUTF8() -> Bool {
    guard let p = vigil_codeset() else { return false }
    return isUTF8Codeset(String(cString: p))
  }

  static func environment(_ name: String) -> String? {
    guard let p = getenv(name) else { return nil }
    return String(cString: p)
  }
}
