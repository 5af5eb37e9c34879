"""„Wer sind Sie?“: remembered per workstation, free text allowed."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox

from krisenstab.gui.start_dialog import STAFF_FUNCTIONS, StartDialog
from krisenstab.settings import Settings

OK = QDialogButtonBox.StandardButton.Ok


def test_offers_the_staff_functions(qtbot, settings) -> None:
    dialog = StartDialog(settings)
    qtbot.addWidget(dialog)
    offered = [dialog.function_combo.itemText(i) for i in range(dialog.function_combo.count())]
    assert offered == list(STAFF_FUNCTIONS)
    for name in ("Leiter des Stabes", "KGS", "S1", "S6", "BuMA", "Fachberater", "Sichter"):
        assert name in offered
    assert dialog.windowTitle() == "Wer sind Sie?"


def test_ok_only_with_name_and_function(qtbot, settings) -> None:
    dialog = StartDialog(settings)
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(OK)
    assert not ok.isEnabled()
    qtbot.keyClicks(dialog.person_edit, "Max Mustermann")
    assert not ok.isEnabled()
    dialog.function_combo.setEditText("Fachberater Wasserwirtschaft")
    assert ok.isEnabled()
    dialog.person_edit.setText("   ")
    assert not ok.isEnabled()


def test_accept_remembers_the_choice(qtbot, settings) -> None:
    dialog = StartDialog(settings)
    qtbot.addWidget(dialog)
    dialog.person_edit.setText("  Lena   Beispiel ")
    dialog.function_combo.setEditText("Verbindungsperson THW")
    dialog.accept()
    actor = dialog.actor()
    assert (actor.person, actor.function) == ("Lena Beispiel", "Verbindungsperson THW")
    assert actor.workstation_id == settings.workstation_id
    again = Settings.load()
    assert (again.last_person, again.last_function) == ("Lena Beispiel", "Verbindungsperson THW")

    second = StartDialog(again)
    qtbot.addWidget(second)
    assert second.person() == "Lena Beispiel"
    assert second.function() == "Verbindungsperson THW"
    assert second.buttons.button(OK).isEnabled()


def test_exercise_title(qtbot, settings) -> None:
    dialog = StartDialog(settings, is_exercise=True)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle().startswith("ÜBUNG")


def test_settings_do_not_leak_between_tests(settings) -> None:
    # The fixture home is fresh: nobody is remembered yet.
    assert settings.last_person == ""
    assert settings.last_function == ""
