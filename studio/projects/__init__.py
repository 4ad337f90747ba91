"""Long-form projects: scripts with a cast, rendered block by block, checked by ear, exported.

No Qt. A project lives in ``<root>/projects/<id>/``: ``project.json`` (schema.py) and the
audio of every take. The command line (studio/cli/project.py) and the window's
workspace both work through these modules.
"""
