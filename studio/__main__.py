"""Entry point: no arguments opens the studio window; a subcommand runs the command line."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if "--self-test" in args:  # anywhere, so `voice-studio gui --self-test` works too
        from studio.selftest.run import main as self_test

        return self_test([a for a in args if a not in ("--self-test", "gui", "--gui")])
    if not args or args[0] in ("gui", "--gui"):
        from studio.app import run_gui

        return run_gui(args[1:] if args else [])
    from studio.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    import multiprocessing

    multiprocessing.freeze_support()
    sys.exit(main())
