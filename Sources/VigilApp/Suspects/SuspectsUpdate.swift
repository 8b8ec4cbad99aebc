import VigilCore

extension AppState {
  /// Opens the Suspects view on `subject` (the overlay is set by the caller or here when
  /// `auto`), ranking now at once so the first frame has it.
  mutating func openSuspects(_ subject: SuspectsSubject, auto: Bool) {
    if auto { ui.overlay = .suspects }
    ui.suspectsSubject = subject
    ui.suspectsAuto = auto
    ui.suspectsAutoUntil = nil
    ui.scroll = 0
    refreshSuspects()
  }

  /// After a message: the on-demand ranking follows the ticks, and the demo opens and closes
  /// the Suspects view by itself (an alert fired since `transitionsBefore`; the incident ends).
  mutating func followSuspects(transitionsBefore: Int) {
    defer { refreshSuspects() }
    guard let demo = config.demoSuspects else { return }
    let fresh = min(alertHistory.transitionsTotal - transitionsBefore, alertHistory.history.count)
    // The incident's first alert fired: show its suspects for a while (unless the viewer has
    // a view open).
    let quiet = ui.suspectsFiredAt.map { viewTime.since($0) >= demo.incidentLength } ?? true
    if fresh > 0, quiet, ui.overlay == nil || (ui.overlay == .suspects && ui.suspectsAuto),
      let fired = alertHistory.history.suffix(fresh).first(where: { $0.to == .firing })
    {
      openSuspects(.alert(AlertKey(rule: fired.rule, labels: fired.labels)), auto: true)
      ui.suspectsAutoUntil = now.adding(demo.showFor)
      ui.suspectsFiredAt = viewTime
      dirty = true
      return
    }
    let ending = demo.atEnd(viewTime)
    if !ending { ui.suspectsEndingShown = false }
    if ending, !ui.suspectsEndingShown, ui.overlay == nil {
      // The incident ends on its suspects: those of its first alert that has a ranking (else
      // the suspects now).
      let from = viewTime.adding(-demo.incidentLength)
      let first = alertHistory.history.first { tr in
        tr.to == .firing && tr.t >= from
          && firingRanking(AlertKey(rule: tr.rule, labels: tr.labels))?.suspects.isEmpty == false
      }
      openSuspects(
        first.map { .alert(AlertKey(rule: $0.rule, labels: $0.labels)) } ?? .now, auto: true)
      ui.suspectsEndingShown = true
      dirty = true
      return
    }
    guard ui.overlay == .suspects, ui.suspectsAuto else { return }
    let expired = ui.suspectsAutoUntil.map { now >= $0 } ?? !ending
    if expired {
      ui.overlay = nil
      ui.suspectsAuto = false
      ui.suspectsAutoUntil = nil
      dirty = true
    }
  }
}
