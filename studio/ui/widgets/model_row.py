"""One model in the Model manager: what it is, where it stands, and the buttons that fit that state.

The row only shows things; the dialog decides the state and reacts to ``action`` (the name
of the button pressed), so the same row serves catalog entries and folders found on disk.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
)

from studio.hub import CHECKING, FINISHING, VERIFYING
from studio.humanize import human_bytes, human_duration

# Row states (tests read ModelRow.state)
ABSENT = "absent"
DOWNLOADING = "downloading"
PAUSED = "paused"
ELSEWHERE = "elsewhere"  # a download runs in another window or process
ON_DISK = "on_disk"
LOADED = "loaded"
BROKEN = "broken"  # on disk but incomplete

# tones readable on the light and the dark palette alike (studio.ui.theme)
ROW_STYLE = """
#modelRow { border: 1px solid palette(mid); border-radius: 6px; background: palette(base); }
#modelRow[wanted="true"] { border: 2px solid palette(highlight); }
#modelRow QLabel#modelName { font-weight: 600; }
#modelRow QLabel[tone="hint"] { color: palette(placeholder-text); }
#modelRow QLabel[tone="good"] { color: #2f9e44; }
#modelRow QLabel[tone="busy"] { color: palette(link); }
#modelRow QLabel[tone="error"] { color: #e03131; }
"""


def progress_text(p: object) -> str:
    """'1.0 GB of 2.5 GB · 12.0 MB/s · 2 min left' for a DownloadProgress."""
    state = getattr(p, "state", "")
    done, total = getattr(p, "done_bytes", 0), getattr(p, "total_bytes", 0)
    if state == CHECKING or not total:
        return "Checking the files on the hub…"
    if state == VERIFYING:
        return "Checking what was already downloaded…"
    if state == FINISHING:
        return "Finishing…"
    text = f"{human_bytes(done)} of {human_bytes(total)}"
    speed = getattr(p, "speed_bps", 0.0)
    if speed > 0:
        text += f" · {human_bytes(speed)}/s"
        eta = getattr(p, "eta_s", None)
        if eta is not None:
            text += f" · {human_duration(eta)} left"
    return text


class ModelRow(QFrame):
    action = Signal(str)  # download | pause | resume | discard | delete | unload | remove

    BUTTONS = {"download": "Download", "pause": "Pause", "resume": "Resume",
               "discard": "Discard", "delete": "Delete", "unload": "Unload",
               "remove": "Remove from list"}
    TIPS = {"download": "Download this model. Nothing is downloaded until you click here.",
            "pause": "Stop the download for now; what was downloaded is kept.",
            "resume": "Go on from where the download stopped.",
            "discard": "Delete the partly downloaded files.",
            "delete": "Delete this model's files from the models folder.",
            "unload": "Free the memory the loaded models use; they load again when needed.",
            "remove": "Stop using this folder. Its files are left untouched."}

    def __init__(self, key: str, title: str, detail: str, size_text: str = "") -> None:
        super().__init__()
        self.key = key  # repo id for catalog rows, folder path for others
        self.state = ABSENT
        self.setObjectName("modelRow")
        self.setStyleSheet(ROW_STYLE)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.title = QLabel(title)
        self.title.setObjectName("modelName")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.size_label = QLabel(size_text)
        self.size_label.setProperty("tone", "hint")
        self.size_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.detail = QLabel(detail)
        self.detail.setWordWrap(True)
        self.detail.setProperty("tone", "hint")
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(True)
        self.bar.setFixedHeight(16)
        self.bar.setVisible(False)
        self.buttons: dict[str, QPushButton] = {}
        box = QHBoxLayout()
        box.setSpacing(6)
        box.addStretch(1)
        for name, label in self.BUTTONS.items():
            button = QPushButton(label)
            button.setObjectName(f"model_{name}")
            button.setToolTip(self.TIPS[name])
            button.setVisible(False)
            button.clicked.connect(lambda _=False, n=name: self.action.emit(n))
            self.buttons[name] = button
            box.addWidget(button)
        grid = QGridLayout(self)
        grid.setContentsMargins(12, 8, 10, 8)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(3)
        grid.addWidget(self.title, 0, 0)
        grid.addWidget(self.size_label, 0, 1)
        grid.addWidget(self.detail, 1, 0, 1, 2)
        grid.addWidget(self.bar, 2, 0, 1, 2)
        grid.addWidget(self.status, 3, 0)
        grid.addLayout(box, 3, 1)
        grid.setColumnStretch(0, 1)

    # --- state -------------------------------------------------------------------------

    def set_state(self, state: str, text: str, buttons: tuple[str, ...] = (),
                  fraction: float | None = None, tone: str = "hint",
                  busy: bool = False) -> None:
        """Show ``state``: a status line, which buttons, and a progress bar if ``fraction``."""
        self.state = state
        self.set_status(text, tone)
        for name, button in self.buttons.items():
            button.setVisible(name in buttons)
            button.setEnabled(True)
        self.set_fraction(fraction, busy)

    def set_status(self, text: str, tone: str = "hint") -> None:
        self.status.setText(text)
        self.status.setProperty("tone", tone)
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)

    def set_fraction(self, fraction: float | None, busy: bool = False) -> None:
        self.bar.setVisible(fraction is not None or busy)
        if busy:
            self.bar.setRange(0, 0)
        elif fraction is not None:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(round(1000 * max(0.0, min(1.0, fraction)))))
            self.bar.setFormat(f"{100 * fraction:.0f}%")
        self.bar.setEnabled(self.state != PAUSED)

    def set_wanted(self, wanted: bool) -> None:
        """Mark the row the window sent the user to ("needs VoiceDesign 1.7B")."""
        self.setProperty("wanted", wanted)
        self.setAccessibleDescription("The model you need" if wanted else "")
        self.style().unpolish(self)
        self.style().polish(self)

    def button(self, name: str) -> QPushButton:
        return self.buttons[name]

    def visible_buttons(self) -> list[str]:
        return [n for n, b in self.buttons.items() if not b.isHidden()]
