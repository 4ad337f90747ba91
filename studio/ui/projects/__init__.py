"""The Projects workspace's parts: the block model and its delegate, the panels, the
render bridge, the undoable edits and the export dialog (the page is studio.ui.pages.projects)."""
