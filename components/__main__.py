"""`python -m components render|describe <stack>`: see components.render;
`python -m components import FILE...`: see components._import."""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

from .render import RenderError, describe, render


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m components",
        description="Run a Pulumi Python program offline with one stack's config, under mocks.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    render_cmd = commands.add_parser("render", help="write every Kubernetes object the stack would create as YAML")
    render_cmd.add_argument("stack", help="the stack name: stacks/Pulumi.<stack>.yaml")
    render_cmd.add_argument("--out", type=Path, help="write one file per object into this directory")
    render_cmd.add_argument("--project-dir", type=Path, default=Path("."), help="the Pulumi project (default: .)")
    describe_cmd = commands.add_parser("describe", help="print how each bundle is reached")
    describe_cmd.add_argument("stack", help="the stack name: stacks/Pulumi.<stack>.yaml")
    describe_cmd.add_argument("--project-dir", type=Path, default=Path("."), help="the Pulumi project (default: .)")
    import_cmd = commands.add_parser(
        "import",
        help="turn existing Kubernetes manifests into a stack config that renders the same objects",
        description="Read manifests (files, or - for stdin) and print a stack config whose bundles render the same"
        " objects; the report goes to stderr. Exit status: 0 all imported, 1 some not imported, 2 unusable input.",
    )
    import_cmd.add_argument("files", nargs="+", metavar="FILE", help="manifest files (YAML, - for stdin)")
    import_cmd.add_argument("--stack", help="write <stackConfigDir>/Pulumi.<stack>.yaml instead of printing it")
    import_cmd.add_argument("--project-dir", type=Path, default=Path("."), help="the Pulumi project (default: .)")
    args = parser.parse_args(argv)
    if args.command == "import":
        from ._import import main as import_main

        try:
            return import_main(args.files, args.stack, args.project_dir)
        finally:
            gc.collect()
    try:
        if args.command == "render":
            text = render(args.project_dir, args.stack, args.out)
            if args.out is None:
                sys.stdout.write(text)
        else:
            sys.stdout.write(describe(args.project_dir, args.stack))
    except RenderError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    finally:
        # Finalize the event loops the SDK's worker threads left behind now,
        # while their sockets are open, not noisily at interpreter exit.
        gc.collect()
    return 0


if __name__ == "__main__":
    sys.exit(main())
