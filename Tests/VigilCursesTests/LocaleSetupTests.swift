import Testing

@testable import VigilCurses

@Suite struct LocaleSetupTests {
  @Test func codesetNames() {
    #expect(LocaleSetup.isUTF8Codeset("UTF-8"))
    #expect(LocaleSetup.isUTF8Codeset("utf8"))
    #expect(!LocaleSetup.isUTF8Codeset("ANSI_X3.4-1968"))
    #expect(!LocaleSetup.isUTF8Codeset("ISO-8859-1"))
  }

  @Test func fallBackOnlyWhenUnsetOrUTF8WasAskedFor() {
    #expect(LocaleSetup.shouldFallBackToCUTF8(lcAll: nil, lcCtype: nil, lang: nil))
    #expect(LocaleSetup.shouldFallBackToCUTF8(lcAll: "", lcCtype: "", lang: ""))
    #expect(LocaleSetup.shouldFallBackToCUTF8(lcAll: nil, lcCtype: nil, lang: "en_US.UTF-8"))
    #expect(LocaleSetup.shouldFallBackToCUTF8(lcAll: nil, lcCtype: "de_DE.utf8", lang: "C"))
    #expect(!LocaleSetup.shouldFallBackToCUTF8(lcAll: nil, lcCtype: nil, lang: "C"))
    #expect(!LocaleSetup.shouldFallBackToCUTF8(lcAll: "POSIX", lcCtype: nil, lang: "en_US.UTF-8"))
    #expect(!LocaleSetup.shouldFallBackToCUTF8(lcAll: nil, lcCtype: nil, lang: "en_US.ISO-8859-1"))
  }
}
