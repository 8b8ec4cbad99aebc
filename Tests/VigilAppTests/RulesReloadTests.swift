import Testing
import VigilApp
import VigilAppTestSupport
import VigilCore

@Suite struct RulesReloadTests {
  let t0 = Timestamp.seconds(1_795_687_200)

  func rules(_ yaml: String) -> Result<RuleSet, ConfigProblems> {
    RulesLoader.parse(yaml, file: "r.yaml")
  }

  @Test func reloadWithoutARulesFileSaysSo() {
    var state = freshState(now: t0)
    #expect(update(&state, .key(.character("r"))).isEmpty)
    #expect(state.notice?.text.contains("--rules") == true)
  }

  @Test func reloadAsksTheRuntimeToReadTheFile() {
    var state = freshState(now: t0)
    state.config.rulesPath = "/etc/vigil/rules.yaml"
    #expect(update(&state, .key(.character("r"))) == [.reloadRules(path: "/etc/vigil/rules.yaml")])
  }

  @Test func aValidFileReplacesTheRulesAndAnInvalidOneKeepsTheOld() throws {
    var state = freshState(now: t0)
    let before = state.engine.rules
    let good =
      "rules:\n  - alert: Only\n    metric: x\n    aggregate: max\n    window: 1m\n    op: \">\"\n    threshold: 1\n"
    _ = update(&state, .rulesLoaded(rules(good)))
    #expect(state.engine.rules.rules.map(\.name) == ["Only"])
    #expect(state.notice?.text == "rules reloaded: 1 rules")
    #expect(state.notice?.isError == false)
    let replaced = state.engine.rules
    #expect(replaced != before)
    _ = update(
      &state, .rulesLoaded(rules("rules:\n  - alert: Bad\n    metric: x\n    aggregate: p42\n")))
    #expect(state.engine.rules == replaced, "the last good rules stay in force")
    #expect(state.notice?.isError == true)
    #expect(state.notice?.text.contains("r.yaml:4:16") == true, "\(state.notice?.text ?? "")")
    // The notice goes away after 15 seconds of clock time.
    _ = update(&state, .tick(t0.adding(16 * Nanos.second)))
    #expect(state.notice == nil)
  }

  @Test func theNoticeIsShownInTheTitleBar() {
    var state = demoState(seconds: 5)
    _ = update(&state, .rulesLoaded(rules("rules: [\n")))
    let title = render(state).lines()[0]
    #expect(title.contains("rules NOT reloaded, old rules kept"), "\(title)")
  }
}
