"""The Qt binding itself: PySide6 6.12.0 dropped a reference to None on every call of a
Python override (paintEvent), so the app aborted after ~15,000 paints. pyproject pins it
below 6.12; this test fails on any binding with that bug."""

from __future__ import annotations

import gc
import sys


def test_python_overrides_keep_none_and_bools_alive(qapp) -> None:  # noqa: ANN001
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QWidget

    class Painted(QWidget):
        def paintEvent(self, _event) -> None:  # noqa: ANN001, N802
            pass

    class Filter(QObject):
        def eventFilter(self, _obj, _event) -> bool:  # noqa: ANN001, N802
            return False

    widget = Painted()
    widget.resize(40, 20)
    widget.show()
    watcher = Filter()
    widget.installEventFilter(watcher)
    qapp.processEvents()
    gc.collect()
    before = sys.getrefcount(None), sys.getrefcount(False)
    for _ in range(200):
        widget.repaint()
        qapp.sendEvent(widget, QEvent(QEvent.Type.User))
    gc.collect()
    after = sys.getrefcount(None), sys.getrefcount(False)
    widget.close()
    # a few references come and go with the interpreter's own work; a leak of one per
    # call would be 200
    assert after[0] - before[0] > -50, "the Qt binding drops references to None"
    assert after[1] - before[1] > -50, "the Qt binding drops references to False"
