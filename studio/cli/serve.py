"""`voice-studio serve`: the local API server (see studio/server)."""

from __future__ import annotations

import argparse
import os

from studio.server.config import DEFAULT_HOST, DEFAULT_PORT

TOKEN_ENV = "VOICE_STUDIO_TOKEN"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="serve the voices over HTTP (OpenAI-compatible speech API)",
                       description="Serve the studio's voices over HTTP. Loopback only by "
                                   "default; any other host needs a token.")
    p.add_argument("--host", default=DEFAULT_HOST,
                   help=f"address to listen on (default {DEFAULT_HOST}; another address "
                        "needs --token)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"default {DEFAULT_PORT}")
    p.add_argument("--token", default=None,
                   help=f"require 'Authorization: Bearer TOKEN' (or set ${TOKEN_ENV}, which "
                        "keeps it out of the process list)")
    p.add_argument("--queue-size", type=int, default=8,
                   help="requests that may wait for the model; more are answered 503")
    p.add_argument("--timeout", type=float, default=300.0,
                   help="seconds a request may take, queue wait included (default 300)")
    p.add_argument("--idle-unload", type=float, default=600.0, metavar="SECONDS",
                   help="unload models unused this long (default 600; 0: never)")
    p.add_argument("--max-seconds", type=float, default=None,
                   help="cap on the audio generated per text segment")
    p.add_argument("--batch", type=int, default=0, metavar="N",
                   help="speech requests (and sentences) generated together at most: 0 "
                        "(default) as memory allows; 1 one at a time, each exactly as "
                        "qwen-tts makes it alone")
    p.add_argument("--alias", action="append", default=[], metavar="NAME=VOICE",
                   help="let clients say NAME for VOICE, e.g. --alias alloy=\"My voice\" "
                        "(OpenAI's voice names map to preset speakers by default; also "
                        "voice_aliases in settings.json); may be repeated")


def run(args: argparse.Namespace, extra: list) -> int:
    from studio.server.aliases import parse_alias
    from studio.server.config import ServerConfig
    from studio.server.runner import serve
    from studio.settings import Settings

    token = args.token if args.token is not None else os.environ.get(TOKEN_ENV) or None
    aliases = dict(Settings.load().voice_aliases)
    aliases.update(parse_alias(a) for a in args.alias)
    config = ServerConfig(host=args.host, port=args.port, token=token,
                          queue_size=args.queue_size, request_timeout_s=args.timeout,
                          idle_unload_s=args.idle_unload or None, max_seconds=args.max_seconds,
                          device=args.device, dtype=args.dtype, extra_models=list(extra),
                          voice_aliases=aliases, batch=args.batch)
    config.check()  # a refused setting is one line on stderr, before anything is loaded
    serve(config, verbose=args.verbose)
    return 0
